rule good_one
{
    strings:
        $a = "canh"
    condition:
        $a
}

rule broken_one
{
    strings:
        $a = "canh"
    condition:
        $a and $undefined_string
}
