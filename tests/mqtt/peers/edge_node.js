// A Sparkplug B 3.0 edge node that is not ours: npm `mqtt` for the connection and
// `sparkplug-payload` (Eclipse Tahu's JavaScript encoder) for the payloads. The test
// drives it with one JSON command per line on stdin and reads one JSON event per line
// on stdout.
//
//   node edge_node.js --broker mqtt://127.0.0.1:1883 --group plant1 --node line1
//
// Commands ({"cmd": ...}):
//   connect                          connect (NDEATH with the next bdSeq as will), subscribe
//                                    to this node's NCMD/DCMD; -> {"event":"connected"}
//   nbirth                           NBIRTH: seq 0, bdSeq, "Node Control/Rebirth"
//   dbirth {device, metrics}         DBIRTH; metrics [{name, alias, type, value}] are kept
//                                    and re-sent on a Rebirth
//   ddata {device, metrics}          DDATA; metrics [{alias, type, value}] (aliases only)
//   ndata {metrics}                  NDATA
//   ddeath {device}                  DDEATH
//   ndeath {bdSeq?}                  NDEATH with the session's bdSeq (or the one given)
//   skip_seq {n}                     the next message's seq jumps by n (a gap)
//   disconnect                       end the connection without NDEATH (the will fires)
// Every publish answers {"event":"published","topic":...,"seq":...} once written.
// Events from the host: {"event":"ncmd","rebirth":bool,"timestamp":ms,"metrics":[...]}
// (a Rebirth request is answered with NBIRTH + all DBIRTHs), {"event":"dcmd","device":...,
// "timestamp":ms,"metrics":[{name, alias, type, value, timestamp}]}; timestamps as decoded
// (Sparkplug B says UTC milliseconds since the epoch).
"use strict";

const mqtt = require("mqtt");
const sparkplug = require("sparkplug-payload").get("spBv1.0");
const readline = require("readline");

function arg(name, fallback) {
  const i = process.argv.indexOf("--" + name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const broker = arg("broker", "mqtt://127.0.0.1:1883");
const group = arg("group", "plant1");
const node = arg("node", "line1");
const ns = "spBv1.0";

let client = null;
let bdSeq = -1;
let seq = 0;
const births = new Map();  // device -> birth metrics

function emit(event) {
  process.stdout.write(JSON.stringify(event) + "\n");
}

function topic(verb, device) {
  return `${ns}/${group}/${verb}/${node}` + (device ? `/${device}` : "");
}

function nextSeq() {
  const s = seq;
  seq = (seq + 1) % 256;
  return s;
}

function encode(metrics, withSeq) {
  const payload = { timestamp: Date.now(), metrics };
  if (withSeq) payload.seq = nextSeq();
  return { bytes: sparkplug.encodePayload(payload), seq: payload.seq };
}

function publish(t, metrics, withSeq = true) {
  const { bytes, seq: s } = encode(metrics, withSeq);
  client.publish(t, Buffer.from(bytes), { qos: 0 }, (err) => {
    if (err) emit({ event: "error", message: String(err) });
    else emit({ event: "published", topic: t, seq: s });
  });
}

function nbirth() {
  seq = 0;
  publish(topic("NBIRTH"), [
    { name: "bdSeq", type: "Int64", value: bdSeq },
    { name: "Node Control/Rebirth", type: "Boolean", value: false },
  ]);
}

function dbirth(device) {
  publish(topic("DBIRTH", device), births.get(device));
}

// A Long (or a number, or absent) as a plain number.
function num(v) {
  return v === undefined || v === null ? undefined : Number(v.toString());
}

function plain(metric) {
  const out = { type: metric.type, value: metric.value };
  if (metric.name !== undefined) out.name = metric.name;
  if (metric.alias !== undefined) out.alias = Number(metric.alias);
  if (metric.timestamp !== undefined) out.timestamp = num(metric.timestamp);
  if (out.value !== null && typeof out.value === "object" && "low" in out.value) {
    out.value = Number(out.value.toString());  // Long
  }
  return out;
}

function onMessage(t, message) {
  const parts = t.split("/");
  let payload;
  try {
    payload = sparkplug.decodePayload(message);
  } catch (e) {
    emit({ event: "error", message: `undecodable ${t}: ${e}` });
    return;
  }
  const metrics = (payload.metrics || []).map(plain);
  if (parts[2] === "NCMD") {
    const rebirth = metrics.some((m) => m.name === "Node Control/Rebirth" && m.value === true);
    emit({ event: "ncmd", rebirth, timestamp: num(payload.timestamp), metrics });
    if (rebirth) {
      nbirth();
      for (const device of births.keys()) dbirth(device);
    }
  } else if (parts[2] === "DCMD") {
    emit({ event: "dcmd", device: parts[4], timestamp: num(payload.timestamp), metrics });
  }
}

function connect() {
  bdSeq = (bdSeq + 1) % 256;
  const will = encode([{ name: "bdSeq", type: "Int64", value: bdSeq }], false);
  client = mqtt.connect(broker, {
    clientId: `edge-${group}-${node}-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
    will: { topic: topic("NDEATH"), payload: Buffer.from(will.bytes), qos: 1, retain: false },
  });
  client.on("message", onMessage);
  client.on("error", (err) => emit({ event: "error", message: String(err) }));
  client.on("connect", () => {
    client.subscribe([topic("NCMD"), topic("DCMD", "+")], { qos: 0 }, (err) => {
      if (err) emit({ event: "error", message: String(err) });
      else emit({ event: "connected", bdSeq });
    });
  });
}

const handlers = {
  connect,
  nbirth,
  dbirth: (c) => {
    births.set(c.device, c.metrics);
    dbirth(c.device);
  },
  ddata: (c) => publish(topic("DDATA", c.device), c.metrics),
  ndata: (c) => publish(topic("NDATA"), c.metrics),
  ddeath: (c) => publish(topic("DDEATH", c.device), []),
  ndeath: (c) => {
    const value = c.bdSeq !== undefined ? c.bdSeq : bdSeq;
    publish(topic("NDEATH"), [{ name: "bdSeq", type: "Int64", value }], false);
  },
  skip_seq: (c) => {
    seq = (seq + (c.n || 1)) % 256;
    emit({ event: "skipped", next: seq });
  },
  disconnect: () => {
    client.stream.destroy();  // no DISCONNECT packet: the broker sends the will
    emit({ event: "disconnected" });
  },
};

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  let c;
  try {
    c = JSON.parse(line);
  } catch (e) {
    emit({ event: "error", message: `bad command: ${line}` });
    return;
  }
  const h = handlers[c.cmd];
  if (!h) emit({ event: "error", message: `unknown command ${c.cmd}` });
  else h(c);
}).on("close", () => {
  if (client) client.end(true);
  process.exit(0);
});
