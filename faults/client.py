"""A small HTTP client for the fault suite: a person's cookies and forms, at full speed or over a slow link."""
import http.client
import re
import secrets
import socket
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
PASSWORD = "faults-password-not-secret"  # nosec B105 - the throwaway cluster is deleted at the end


@dataclass
class Answer:
    status: int  # 0: no answer at all (connection reset or timed out)
    body: str = ""
    headers: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


def seen(answer: Answer) -> str:
    """What the person saw, in a few words."""
    if answer.status == 0:
        return "no answer"
    if answer.status < 400:
        return "ok"
    if answer.status == 503 and "Temporarily unavailable" in answer.body:
        return "503 page" + (" (nginx)" if "go back and send again" in answer.body else "")
    if answer.status == 507 and "could not be stored" in answer.body:
        return "507 file not stored, text kept"
    if answer.status == 409:
        return "409 already submitted"
    return f"bare {answer.status}" if answer.status >= 500 else f"{answer.status}"


def is_bare_error(answer: Answer) -> bool:
    return seen(answer).startswith("bare") or answer.status == 0


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    def __init__(self, port: int, timeout: float = 90):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes = b"", content_type: str | None = None,
                bytes_per_second: int | None = None) -> Answer:
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", "User-Agent: lms-faults"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in self.cookies.items()))
        if method == "POST":
            head += [f"Content-Type: {content_type or 'application/x-www-form-urlencoded'}",
                     f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        started = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout) as sock:
                if bytes_per_second:
                    chunk = max(1, bytes_per_second // 10)
                    for offset in range(0, len(raw), chunk):
                        sock.sendall(raw[offset:offset + chunk])
                        time.sleep(0.1)
                else:
                    sock.sendall(raw)
                response = http.client.HTTPResponse(sock)
                response.begin()
                text = response.read().decode("utf-8", "replace")
                headers = {name.lower(): value for name, value in response.getheaders()}
                for header in response.headers.get_all("Set-Cookie") or []:
                    jar = SimpleCookie()
                    jar.load(header)
                    for name, morsel in jar.items():
                        self.cookies[name] = morsel.value
                return Answer(response.status, text, headers, time.monotonic() - started)
        except (OSError, http.client.HTTPException):
            return Answer(0, seconds=time.monotonic() - started)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def token(self, path: str) -> str:
        match = CSRF_PATTERN.search(self.get(path).body)
        if not match:
            raise RuntimeError(f"no form token on {path}")
        return match.group(1) or match.group(2)

    def post(self, path: str, data: dict[str, str], form_path: str | None = None, files=(), token: str | None = None,
             bytes_per_second: int | None = None) -> Answer:
        data = {**data, "csrf_token": token or self.token(form_path or path)}
        if files:
            body, content_type = multipart(data, list(files))
        else:
            body, content_type = urlencode(data).encode(), None
        return self.request("POST", path, body, content_type, bytes_per_second)

    def sign_in(self, email: str) -> None:
        answer = self.post("/login", {"email": email, "password": PASSWORD})
        if answer.status != 302:
            raise RuntimeError(f"signing in {email} failed with {answer.status}")
