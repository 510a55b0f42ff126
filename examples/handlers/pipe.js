// A `jq-nats work STREAM --pipe -- node pipe.js` handler: one JSON job per line in, one answer out.
const rl = require("readline").createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const job = JSON.parse(line);
  const data = Buffer.from(job.payload, job.encoding === "base64" ? "base64" : "utf8");
  let answer = { id: job.id, ok: true };
  if (data.toString("latin1").startsWith("poison")) answer = { id: job.id, ok: false, fatal: true, error: "poison pill" };
  else if (data.toString("latin1").startsWith("fail")) answer = { id: job.id, ok: false, error: "try again later" };
  process.stdout.write(JSON.stringify(answer) + "\n");
});
