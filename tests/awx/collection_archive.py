"""Write a collection archive (as ansible-galaxy collection build makes it) from an installed collection.

An installed collection keeps MANIFEST.json and FILES.json; ansible-galaxy installs an archive whose
members match FILES.json (checksums) and whose FILES.json matches MANIFEST.json. The pip package
`ansible` leaves out a few files its collections list (CI workflows): those entries are dropped, and
FILES.json's checksum in MANIFEST.json follows. Every other file is checked against its listed checksum.
Used for the offline execution environment build (the kubernetes.core the venv got from PyPI).
Usage: collection_archive.py <installed collection dir> <output.tar.gz>
"""
import hashlib
import io
import json
import os
import sys
import tarfile


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _member(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    tar.addfile(info, io.BytesIO(data))


def main(source, output):
    with open(os.path.join(source, 'FILES.json')) as handle:
        listing = json.load(handle)
    with open(os.path.join(source, 'MANIFEST.json')) as handle:
        manifest = json.load(handle)
    kept, dropped = [], []
    for entry in listing['files']:
        path = os.path.join(source, entry['name'])
        if entry['ftype'] == 'file' and not os.path.isfile(path):
            dropped.append(entry['name'])
            continue
        if entry['ftype'] == 'file':
            with open(path, 'rb') as handle:
                if _sha256(handle.read()) != entry['chksum_sha256']:
                    sys.exit('%s differs from its FILES.json checksum' % path)
        kept.append(entry)
    listing['files'] = kept
    files_json = json.dumps(listing, indent=4).encode('utf-8')
    manifest['file_manifest_file']['chksum_sha256'] = _sha256(files_json)
    with tarfile.open(output, 'w:gz') as tar:
        _member(tar, 'MANIFEST.json', json.dumps(manifest, indent=4).encode('utf-8'))
        _member(tar, 'FILES.json', files_json)
        for entry in kept:
            if entry['name'] == '.':
                continue
            if entry['ftype'] == 'dir':
                info = tarfile.TarInfo(entry['name'])
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info, io.BytesIO(b''))
            else:
                tar.add(os.path.join(source, entry['name']), arcname=entry['name'], recursive=False)
    if dropped:
        print('%s: left out %d files listed but not installed (%s, ...)' % (output, len(dropped), ', '.join(dropped[:3])))


if __name__ == '__main__':
    main(*sys.argv[1:3])
