rule a { strings: $h = { 4D 5A ?? [2-4] 00 } $r = /ab+c/ nocase condition: #h > 1 or @r[1] < 10 }
