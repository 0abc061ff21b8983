import "pe"
rule x { condition: pe.is_pe and filename matches /\.exe$/ }
