/* A rule whose regex makes libyara work hard on large files of 'a'. */
rule Canh_Slow
{
    strings:
        $a = /a[a-z]{0,60}b[a-z]{0,60}c[a-z]{0,60}d/
    condition:
        #a > 0 and for all i in (1..#a) : (@a[i] > 0)
}
