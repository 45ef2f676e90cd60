# Make the collection importable as ansible_collections.daprkit.dapr from a plain checkout.
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'collections'))
