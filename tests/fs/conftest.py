"""The programs of tests/fs need a scratch folder, so test_fs.py runs them
(with the folder as their argument); the generic `.inko` collector of
tests/conftest.py must not run them in the source tree."""

collect_ignore_glob = ["programs/*.inko"]
