/*
 * canh shipped rules: reverse-shell one-liners in scripts, crontabs, history files.
 */
rule RevShell_Bash_Dev_Tcp
{
    meta:
        description = "bash reverse shell through /dev/tcp"
        author = "canh"
    strings:
        $a = /(ba)?sh\s+-i\s*[>&]+\s*\/dev\/(tcp|udp)\/[0-9A-Za-z.\-]{1,255}\/[0-9]{1,5}/
        $b = /exec\s+[0-9]+<>\/dev\/tcp\/[0-9A-Za-z.\-]{1,255}\/[0-9]{1,5}/
    condition:
        any of them
}

rule RevShell_Netcat_Exec
{
    meta:
        description = "netcat executing a shell for a remote peer (nc -e / -c)"
        author = "canh"
    strings:
        $a = /\bn(c|cat|etcat)(\.traditional|\.openbsd)?\s+(-[a-z]+\s+)*-[ec]\s*\/bin\/(ba|da|z)?sh/
        $b = /\/bin\/(ba)?sh\s+-i\s+2>&1\s*\|\s*nc\s/
        $c = /mkfifo\s+\/tmp\/[^;|\s]{1,64}\s*;\s*(cat|nc)\s/
    condition:
        any of them
}

rule RevShell_Python_Pty
{
    meta:
        description = "Python reverse shell: socket connect, dup2 and pty.spawn or subprocess"
        author = "canh"
    strings:
        $sock = "socket.socket(" ascii
        $conn = ".connect((" ascii
        $dup = "os.dup2(" ascii
        $pty = /pty\.spawn\s*\(\s*["']\/bin\/(ba)?sh["']\s*\)/
        $sub = /subprocess\.call\s*\(\s*\[\s*["']\/bin\/(ba)?sh["']\s*,\s*["']-i["']/
    condition:
        $sock and $conn and $dup and ($pty or $sub)
}

rule RevShell_Perl_Socket
{
    meta:
        description = "Perl reverse shell: Socket, connect, STDIN/STDOUT redirected, exec /bin/sh"
        author = "canh"
    strings:
        $use = "use Socket" ascii
        $sock = /socket\s*\(\s*S\s*,\s*PF_INET\s*,\s*SOCK_STREAM/
        $open = /open\s*\(\s*STDIN\s*,\s*["']>&S["']\s*\)/
        $exec = /exec\s*\(\s*["']\/bin\/(ba)?sh( -i)?["']\s*\)/
    condition:
        ($use or $sock) and $open and $exec
}
