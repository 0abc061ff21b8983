/*
 * canh shipped rules: the EICAR anti-virus test file.
 * The test string is split in two so this file does not itself look like EICAR.
 */
rule EICAR_Test_File
{
    meta:
        description = "EICAR anti-virus test file (harmless)"
        author = "canh"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
    strings:
        $head = "X5O!P%@AP[4\\PZX54(P^)7CC)7}"
        $tail = "$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $head at 0 and $tail and filesize < 256
}
