import os
import sys

# Tests import `helpers` from this folder.
sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
