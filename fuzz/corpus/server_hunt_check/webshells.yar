/*
 * canh shipped rules: common PHP (and ASP) web shells.
 */
rule PHP_Webshell_Eval_Base64
{
    meta:
        description = "PHP code that evaluates base64-decoded data (obfuscated web shell loader)"
        author = "canh"
    strings:
        $php = "<?" ascii
        $a = /eval\s*\(\s*(gzinflate\s*\(\s*|gzuncompress\s*\(\s*|str_rot13\s*\(\s*)*base64_decode\s*\(/ nocase
    condition:
        $php and $a
}

rule PHP_Webshell_Assert_Request
{
    meta:
        description = "PHP assert() or eval() on request data (one-line web shell)"
        author = "canh"
    strings:
        $a = /(assert|eval|system|passthru|shell_exec)\s*\(\s*(stripslashes\s*\(\s*)?\$_(POST|GET|REQUEST|COOKIE)\s*\[/ nocase
        $b = /\$_(POST|GET|REQUEST)\s*\[[^\]]{1,32}\]\s*\(\s*\$_(POST|GET|REQUEST)/ nocase
    condition:
        any of them
}

rule Webshell_China_Chopper
{
    meta:
        description = "China Chopper one-line web shell (PHP and ASP forms)"
        author = "canh"
    strings:
        $php = /<\?php\s*@?eval\s*\(\s*\$_(POST|REQUEST)\s*\[\s*['"][^'"]{1,32}['"]\s*\]\s*\)/ nocase
        $asp = /<%@?\s*Page\s+Language\s*=\s*"?Jscript"?\s*%>\s*<%\s*eval\s*\(\s*Request\.Item\[/ nocase
        $asp2 = /<%\s*eval\s+request\s*\(\s*"[^"]{1,32}"\s*\)\s*%>/ nocase
    condition:
        any of them and filesize < 64KB
}

rule PHP_Webshell_C99
{
    meta:
        description = "c99 shell markers"
        author = "canh"
    strings:
        $a = "c99shell" nocase
        $b = "c99_buff_prepare"
        $c = "c99sh_surl"
        $d = "!C99Shell v."
    condition:
        any of them
}

rule PHP_Webshell_R57
{
    meta:
        description = "r57 shell markers"
        author = "canh"
    strings:
        $a = "r57shell" nocase
        $b = "r57_pwd_hash"
        $c = "RusH security team"
    condition:
        any of them
}

rule PHP_Webshell_B374k
{
    meta:
        description = "b374k shell markers"
        author = "canh"
    strings:
        $php = "<?php"
        $a = "b374k" nocase
        $b = "$s_pass"
        $c = "b374k_pass"
    condition:
        $php and ($a or ($b and $c))
}

rule PHP_Webshell_WSO
{
    meta:
        description = "WSO (Web Shell by oRb) markers"
        author = "canh"
    strings:
        $fm = "FilesMan"
        $a = "WSO_VERSION"
        $b = "Web Shell by oRb"
        $c = "wso_version"
        $d = "function wsoHeader"
    condition:
        $fm and any of ($a, $b, $c, $d)
}
