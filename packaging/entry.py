"""The frozen app's entry point: the same `annotator` command as the console script pip installs.

PyInstaller needs a script rather than a `module:function` entry point, hence this file. `freeze_support` must run
first so that, on Windows and macOS, a worker process that a library starts (joblib under scikit-learn, for
instance) re-enters here as a worker instead of launching another copy of the command line.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from annotator.cli import main

    sys.exit(main())
