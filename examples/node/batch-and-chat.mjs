// The official OpenAI Node SDK against Sluice, changing only the base URL and key. Run from this folder:
//   npm install openai@5 && SLUICE_API_KEY=sk-... node batch-and-chat.mjs
// Uploads requests.jsonl, runs it as a batch, reads the output file, walks the batch list, then calls
// chat.completions.create plainly and with stream: true through the synchronous facade.
import OpenAI from "openai";
import fs from "node:fs";
const client = new OpenAI({ baseURL: process.env.SLUICE_BASE_URL ?? "http://localhost:8080/v1", apiKey: process.env.SLUICE_API_KEY });
const input = await client.files.create({ file: fs.createReadStream("requests.jsonl"), purpose: "batch" });
let batch = await client.batches.create({ input_file_id: input.id, endpoint: "/v1/chat/completions", completion_window: "24h", metadata: {team: "node"} });
while (!["completed","failed","expired","cancelled"].includes(batch.status)) { await new Promise(r => setTimeout(r, 1000)); batch = await client.batches.retrieve(batch.id); }
console.log(batch.status, batch.request_counts, batch.metadata);
const output = await (await client.files.content(batch.output_file_id)).text();
console.log(output.trim().split("\n").map(l => JSON.parse(l).custom_id + ":" + JSON.parse(l).response.status_code).join(" "));
let n = 0; for await (const b of client.batches.list({ limit: 1 })) { n++; } console.log("listed", n);
const chat = await client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{role: "user", content: "hey"}] });
console.log(chat.choices[0].message.content);
const stream = await client.chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{role: "user", content: "stream me"}], stream: true });
let text = ""; for await (const c of stream) { text += c.choices[0]?.delta?.content ?? ""; } console.log("streamed:", text);
