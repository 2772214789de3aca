"""A recording pass-through for the end-to-end tests: put between a client and the daemon,
it records each request exactly as the client sent it, forwards it to the target given
as argv[1] (e.g. http://127.0.0.1:8642) and relays the answer as it comes, streams
included. GET /_received and POST /_reset as in recording.py (the target never sees them).
Prints the port it listens on, then serves until killed.
"""

import http.client
import sys
import urllib.parse

from recording import RecordingHandler, QuietServer

# Headers of one connection, not of the request.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class TapHandler(RecordingHandler):
    target = None
    received = []

    def dispatch(self, body):
        connection = http.client.HTTPConnection(self.target.hostname, self.target.port, timeout=300)
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        connection.request(self.command, self.path, body=body if body or self.command == "POST" else None, headers=headers)
        answer = connection.getresponse()
        length = answer.getheader("Content-Length")
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if length is not None:
            self.wfile.write(answer.read())
        else:
            while chunk := answer.read1(65536):
                self.write_chunk(chunk)
            self.end_chunked()
        connection.close()

    def do_HEAD(self):
        self.record(b"")
        self.dispatch(b"")

    def do_PUT(self):
        self.do_POST()

    def do_DELETE(self):
        self.do_POST()


def main():
    TapHandler.target = urllib.parse.urlsplit(sys.argv[1])
    server = QuietServer(("127.0.0.1", 0), TapHandler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
