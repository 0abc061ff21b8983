rule also_broken
{
    condition:
        filesize >
}
