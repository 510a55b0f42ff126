# A `jq-nats work STREAM --pipe -- python3 pipe.py` handler: one JSON job per line in, one answer out.
import base64, json, sys
for line in sys.stdin:
    job = json.loads(line)
    data = base64.b64decode(job["payload"]) if job.get("encoding") == "base64" else job["payload"].encode()
    if data.startswith(b"poison"):
        answer = {"id": job["id"], "ok": False, "fatal": True, "error": "poison pill"}
    elif data.startswith(b"fail"):
        answer = {"id": job["id"], "ok": False, "error": "try again later"}
    else:
        answer = {"id": job["id"], "ok": True}
    print(json.dumps(answer), flush=True)
