"""Stopping a server process a test started, quickly and surely, even on a loaded machine."""
import signal
import subprocess


def stop_server(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGQUIT asks gunicorn for its quick shutdown (no grace period for requests in flight); a process
    still running after `timeout` seconds is killed."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGQUIT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
