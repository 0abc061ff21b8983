rule a { condition: true }
ÿþ