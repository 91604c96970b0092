"""``dev.py``'s localstripe start: localstripe reloads /tmp/localstripe.pickle, which every
localstripe on the machine rewrites; one cut short by another process must not stop the run."""
import socket
import sys
import textwrap

import dev

FAKE = textwrap.dedent("""\
    #!{python}
    import socket, sys, time
    port = int(sys.argv[sys.argv.index("--port") + 1])
    if "--from-scratch" not in sys.argv and "{mode}" == "truncated":
        sys.exit("_pickle.UnpicklingError: pickle data was truncated")
    if "{mode}" == "broken":
        sys.exit("ImportError: something else")
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen()
    print("from scratch" if "--from-scratch" in sys.argv else "loaded", flush=True)
    time.sleep(60)
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_localstripe(tmp_path, monkeypatch, mode):
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "localstripe"
    script.write_text(FAKE.format(python=sys.executable, mode=mode))
    script.chmod(0o755)
    monkeypatch.setattr(dev, "VENV", tmp_path)
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    monkeypatch.setenv("LOCALSTRIPE_PORT", str(free_port()))


def test_an_unreadable_saved_state_starts_localstripe_afresh(tmp_path, monkeypatch):
    fake_localstripe(tmp_path, monkeypatch, "truncated")
    proc = dev.start_localstripe()
    try:
        assert proc is not None and proc.poll() is None
        assert "--from-scratch" in proc.args
    finally:
        dev.stop(proc)
    assert "pickle data was truncated" in (tmp_path / ".run-localstripe.log").read_text()


def test_a_readable_state_is_kept(tmp_path, monkeypatch):
    fake_localstripe(tmp_path, monkeypatch, "fine")
    proc = dev.start_localstripe()
    try:
        assert "--from-scratch" not in proc.args
    finally:
        dev.stop(proc)


def test_another_failure_is_not_retried_and_says_where_to_look(tmp_path, monkeypatch, capsys):
    fake_localstripe(tmp_path, monkeypatch, "broken")
    try:
        dev.start_localstripe()
    except SystemExit as stop:
        assert "localstripe did not start" in str(stop)
    else:
        raise AssertionError("a localstripe that cannot start must stop the run")
    assert (tmp_path / ".run-localstripe.log").read_text().count("something else") == 1
