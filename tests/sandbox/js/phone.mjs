// The phone side of a QR login, as a WeChat mini program runs it: JavaScript, whose numbers are exact
// only up to 2^53. Reads QR payloads (qrlogin://signin?appKey=...&signInKey=...) on stdin, one a line;
// for each, Scan then Confirm-Login, and writes one JSON line: what it sent and the two answers.
//
//   node phone.mjs <base URL> <number|string>     (bearer token in QRLOGIN_TOKEN)
//
// "number": the key is parsed with JSON.parse, as a phone that treats it as the number it is does;
// "string": the key is kept as the decimal text it was in the QR.
import { createInterface } from "node:readline";

const [baseUrl, keyAs] = process.argv.slice(2);
const token = process.env.QRLOGIN_TOKEN;
if (!baseUrl || !["number", "string"].includes(keyAs) || !token) {
  console.error("usage: QRLOGIN_TOKEN=... node phone.mjs <base URL> <number|string>");
  process.exit(2);
}
const REQUEST_TIMEOUT_MS = 5000; // every call has a deadline, like wx.request's timeout

async function call(appKey, path, body) {
  const response = await fetch(`${baseUrl}/Wechat/${encodeURIComponent(appKey)}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { http: response.status, envelope: await response.json() };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const qr = new URL(line.trim());
  const appKey = qr.searchParams.get("appKey");
  const keyText = qr.searchParams.get("signInKey");
  const signInKey = keyAs === "number" ? JSON.parse(keyText) : keyText;
  const scan = await call(appKey, "/QR-Auth/Scan", { signInKey });
  const confirm = scan.envelope.code === 200 ? await call(appKey, "/QR-Auth/Confirm-Login", { signInKey }) : null;
  console.log(JSON.stringify({
    key: keyText,
    sent: JSON.stringify({ signInKey }),
    scan: scan.envelope.code,
    scanError: scan.envelope.error || null,
    confirm: confirm ? confirm.envelope.code : null,
    token: confirm && confirm.envelope.code === 200 ? confirm.envelope.data.access_token : null,
  }));
}
