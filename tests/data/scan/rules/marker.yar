rule Canh_Test_Marker
{
    strings:
        $a = "CANH-TEST-MARKER-7f3a"
    condition:
        $a
}
