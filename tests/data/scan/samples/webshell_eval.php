<?php
// Harmless test sample for canh's scanner: the shape of an obfuscated loader.
// The payload is the base64 of "echo 'canh test';" and does nothing else.
eval(base64_decode('ZWNobyAnY2FuaCB0ZXN0Jzs='));
