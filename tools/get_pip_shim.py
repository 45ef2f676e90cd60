"""Offline stand-in for the get-pip.py that ansible-test downloads from a host we cannot reach.

ansible-test runs it inside each fresh sanity venv as `python get_pip.py [options] pip==X ...`;
we bootstrap pip with the interpreter's own ensurepip, then let pip install the pinned packages from PyPI.
"""
import subprocess
import sys

GET_PIP_ONLY = {'--no-setuptools', '--no-wheel'}

subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + [a for a in sys.argv[1:] if a not in GET_PIP_ONLY])
