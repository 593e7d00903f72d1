"""A loopback OpenAI-compatible server whose briefs put one invented quote next to real ones per item.

It answers `POST /v1/chat/completions` with a draft brief built from `ARTICLE`: each item cites one
sentence of the article and one quote the article never says (`INVENTED`), so tests can check that
strict mode leaves no trace of the invented quotes and that flag mode marks every one of them.
Run in a thread (`serve()`) or as a process: `python -m tests.verify.fake_openai PORT`.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLE = (
    "The city council voted on Tuesday to close the old bridge for repairs. "
    "Mayor Jane Doe said work would begin in May and last six months. "
    "Residents of the east bank objected, saying the detour adds an hour to their commute."
)
INVENTED = [
    "the mayor admitted the bridge had been unsafe for a decade",
    "repairs will cost 40 million euros, twice the first estimate",
    "opposition councillors walked out of the chamber in protest",
]


def draft() -> dict:
    """The draft the server answers: three items, each with one real and one invented quote."""
    return {
        "headline": "Council votes to close old bridge for six months of repairs",
        "summary": "The city council voted on Tuesday to close the old bridge for repairs.",
        "actors": [
            {
                "name": "Jane Doe",
                "role": "Mayor",
                "aliases": ["Doe"],
                "stance": None,
                "evidence": ["Mayor Jane Doe said work would begin in May", INVENTED[0]],
            }
        ],
        "status": [
            {
                "text": "The council voted to close the old bridge for repairs.",
                "evidence": [
                    "The city council voted on Tuesday to close the old bridge for repairs.",
                    INVENTED[1],
                ],
            }
        ],
        "disputes": [],
        "next_steps": [
            {
                "action": "Repair work begins and lasts six months",
                "who": "Jane Doe",
                "when": "May",
                "certainty": "planned",
                "evidence": ["work would begin in May and last six months", INVENTED[2]],
            }
        ],
    }


def completion(content: dict) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": json.dumps(content)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 500, "completion_tokens": 150, "total_tokens": 650},
    }


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        self.rfile.read(length)
        if not self.path.endswith("/chat/completions"):
            self.send_error(404)
            return
        body = json.dumps(completion(draft())).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return None


def serve(port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Start the server in a daemon thread; returns it and its base URL (…/v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1"


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), _Handler).serve_forever()
