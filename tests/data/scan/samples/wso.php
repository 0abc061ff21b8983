<?php
/* Harmless test sample with WSO markers only. */
define('WSO_VERSION', '2.5');
$default_action = 'FilesMan';
function wsoHeader() { echo "canh test"; }
