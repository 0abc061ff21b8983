/*
 * canh shipped rules: crypto-miner configurations and command lines.
 */
rule Miner_XMRig_Config
{
    meta:
        description = "XMRig (Monero miner) JSON configuration"
        author = "canh"
    strings:
        $donate = /"donate-level"\s*:\s*[0-9]/
        $pools = /"pools"\s*:\s*\[/
        $algo = /"(algo|coin)"\s*:\s*"(rx\/0|cn\/r|monero|rx\/wow|cn-pico|randomx)"/
        $url = /"url"\s*:\s*"(stratum\+(tcp|ssl|tls):\/\/)?[A-Za-z0-9.\-]{1,253}:[0-9]{2,5}"/
    condition:
        $donate and ($pools or $algo or $url) and filesize < 1MB
}

rule Miner_Stratum_Pool
{
    meta:
        description = "mining pool address (stratum URL) with a wallet or worker login (-u, --user or a user key)"
        author = "canh"
    strings:
        $url = /stratum\+(tcp|ssl|tls):\/\/[A-Za-z0-9.\-]{1,253}:[0-9]{2,5}/
        $user = /(-u|--user|"user")\s*[:=]?\s*"?[0-9A-Za-z.\-_]{8,}/
    condition:
        $url and $user and filesize < 4MB
}

rule Miner_Pool_List
{
    meta:
        description = "several well-known Monero pool hosts in one file"
        author = "canh"
    strings:
        $p1 = "pool.minexmr.com" nocase
        $p2 = "xmr.pool.minergate.com" nocase
        $p3 = "pool.supportxmr.com" nocase
        $p4 = "xmr-eu1.nanopool.org" nocase
        $p5 = "gulf.moneroocean.stream" nocase
        $p6 = "xmr.2miners.com" nocase
        $p7 = "monerohash.com" nocase
        $p8 = "xmrpool.eu" nocase
    condition:
        2 of them and filesize < 4MB
}
