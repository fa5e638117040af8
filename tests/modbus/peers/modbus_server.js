// A Modbus TCP server for the modbus plugin's tests and benchmark, built on the npm
// package modbus-serial (ServerTCP), so the plugin talks to an implementation that is
// not ours. It answers every unit id; each unit has its own four tables, whose unset
// registers and bits read as 0.
//
//   node modbus_server.js --port 15020 [--port 15021 ...] [--preset energy-meter:1-100]
//
// Presets (typed values of the shipped profiles, deploy/profiles/*.yaml):
//   energy-meter:  input registers 0 float32 230.5 V, 2 float32 4.25 A, 4 float32 980 W,
//                  6 uint32 low word first 1234567 Wh; holding register 100 = 5002 (cHz)
//   dimmable-lamp: input registers 0 uint32 8500 mW, 2 int16 -55 (d°C), 3 uint16 3;
//                  holding register 0 = 75 (%); coil 0 = on; discrete input 0 = no fault
//
// stdout, one JSON object per line:
//   {"event":"listening","port":P}        a port is accepting connections
//   {"event":"write","unit":U,"table":"holding_registers"|"coils","address":A,"values":[...]}
//   {"event":"ok","op":...,"seq":N}       a stdin command was applied
//   {"event":"error","message":...}
// stdin, one JSON object per line (each answered with "ok" and its seq):
//   {"op":"set","unit":U,"table":T,"address":A,"type":"uint16|int16|uint32|int32|float32|
//        uint64|int64|float64|bool","word_order":"high_first|low_first","value":V}
//   {"op":"raw","unit":U,"table":T,"address":A,"registers":[...]}   registers as they are
//   {"op":"exception","unit":U,"table":T,"address":A,"code":C}  answer reads/writes touching
//        that address with exception C (0 removes it)
//   {"op":"mute","unit":U,"on":true|false}    the unit stops (starts) answering at all
//   {"op":"stop"} / {"op":"start"}            close every port (and its connections) / listen
//        again on the same ports
// Tables: coils, discrete_inputs, holding_registers, input_registers.
"use strict";

const ModbusRTU = require("modbus-serial");
const readline = require("readline");

const TABLES = ["coils", "discrete_inputs", "holding_registers", "input_registers"];
const WIDTH = {bool: 1, uint16: 1, int16: 1, uint32: 2, int32: 2, float32: 2,
  uint64: 4, int64: 4, float64: 4};

function emit(obj) { process.stdout.write(JSON.stringify(obj) + "\n"); }

// ---- the data of every unit ----------------------------------------------------------
const units = new Map();  // unit id -> {tables: {name: Map(address -> value)}, exceptions, muted}

function unit(id) {
  let u = units.get(id);
  if (!u) {
    u = {tables: {}, exceptions: {}, muted: false};
    for (const t of TABLES) { u.tables[t] = new Map(); u.exceptions[t] = new Map(); }
    units.set(id, u);
  }
  return u;
}

// The registers (address order) of a typed value, big-endian bytes within each register.
function encode(type, value, wordOrder) {
  const width = WIDTH[type];
  if (width === undefined) throw new Error("unknown type " + type);
  if (type === "bool") return [value ? 1 : 0];
  const buf = Buffer.alloc(width * 2);
  switch (type) {
    case "uint16": buf.writeUInt16BE(value); break;
    case "int16": buf.writeInt16BE(value); break;
    case "uint32": buf.writeUInt32BE(value); break;
    case "int32": buf.writeInt32BE(value); break;
    case "float32": buf.writeFloatBE(value); break;
    case "uint64": buf.writeBigUInt64BE(BigInt(value)); break;
    case "int64": buf.writeBigInt64BE(BigInt(value)); break;
    case "float64": buf.writeDoubleBE(value); break;
  }
  const regs = [];
  for (let i = 0; i < width; i++) regs.push(buf.readUInt16BE(2 * i));
  return wordOrder === "low_first" ? regs.reverse() : regs;
}

function store(unitId, table, address, registers) {
  if (!TABLES.includes(table)) throw new Error("unknown table " + table);
  const t = unit(unitId).tables[table];
  registers.forEach((v, i) => t.set(address + i, v));
}

function set(unitId, table, address, type, value, wordOrder) {
  if (table === "coils" || table === "discrete_inputs") {
    store(unitId, table, address, [value ? 1 : 0]);
  } else {
    store(unitId, table, address, encode(type, value, wordOrder));
  }
}

const PRESETS = {
  "energy-meter": (u) => {
    set(u, "input_registers", 0, "float32", 230.5);
    set(u, "input_registers", 2, "float32", 4.25);
    set(u, "input_registers", 4, "float32", 980);
    set(u, "input_registers", 6, "uint32", 1234567, "low_first");
    set(u, "holding_registers", 100, "uint16", 5002);
  },
  "dimmable-lamp": (u) => {
    set(u, "input_registers", 0, "uint32", 8500);
    set(u, "input_registers", 2, "int16", -55);
    set(u, "input_registers", 3, "uint16", 3);
    set(u, "holding_registers", 0, "uint16", 75);
    set(u, "coils", 0, "bool", true);
    set(u, "discrete_inputs", 0, "bool", false);
  },
};

// ---- the Modbus side -------------------------------------------------------------------
// Calls `cb` with the values of `count` addresses, an exception, or never (muted unit).
function answer(unitId, table, address, count, cb) {
  const u = unit(unitId);
  if (u.muted) return;
  for (let a = address; a < address + count; a++) {
    const code = u.exceptions[table].get(a);
    // (An empty array too: modbus-serial's multi-register path indexes it even on error.)
    if (code) return cb({modbusErrorCode: code, msg: "exception " + code + " at " + a}, []);
  }
  const t = u.tables[table];
  const values = [];
  for (let a = address; a < address + count; a++) values.push(t.get(a) || 0);
  cb(null, values);
}

function written(unitId, table, address, values, cb) {
  const u = unit(unitId);
  if (u.muted) return;
  for (let a = address; a < address + values.length; a++) {
    const code = u.exceptions[table].get(a);
    if (code) return cb({modbusErrorCode: code, msg: "exception " + code + " at " + a});
  }
  store(unitId, table, address, values);
  emit({event: "write", unit: unitId, table: table, address: address, values: values});
  cb(null);
}

const vector = {
  getCoil: (addr, u, cb) => answer(u, "coils", addr, 1, (e, v) => cb(e, e ? undefined : v[0] !== 0)),
  getDiscreteInput: (addr, u, cb) =>
    answer(u, "discrete_inputs", addr, 1, (e, v) => cb(e, e ? undefined : v[0] !== 0)),
  getInputRegister: (addr, u, cb) =>
    answer(u, "input_registers", addr, 1, (e, v) => cb(e, e ? undefined : v[0])),
  getHoldingRegister: (addr, u, cb) =>
    answer(u, "holding_registers", addr, 1, (e, v) => cb(e, e ? undefined : v[0])),
  getMultipleInputRegisters: (addr, n, u, cb) => answer(u, "input_registers", addr, n, cb),
  getMultipleHoldingRegisters: (addr, n, u, cb) => answer(u, "holding_registers", addr, n, cb),
  setCoil: (addr, value, u, cb) => written(u, "coils", addr, [value ? 1 : 0], cb),
  setRegister: (addr, value, u, cb) => written(u, "holding_registers", addr, [value], cb),
  setRegisterArray: (addr, values, u, cb) => written(u, "holding_registers", addr, values, cb),
};

// ---- ports -----------------------------------------------------------------------------
const ports = [];
let servers = [];

function listen() {
  servers = ports.map((port) => {
    const s = new ModbusRTU.ServerTCP(vector, {host: "127.0.0.1", port: port});
    s.on("initialized", () => emit({event: "listening", port: port}));
    s.on("serverError", (e) => emit({event: "error", message: "port " + port + ": " + e.message}));
    s.on("socketError", () => {});  // a client went away
    return s;
  });
}

function close(done) {
  let left = servers.length;
  if (left === 0) return done();
  servers.forEach((s) => s.close(() => { if (--left === 0) done(); }));
  servers = [];
}

// ---- command line and stdin ------------------------------------------------------------
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--port") {
    ports.push(parseInt(args[++i], 10));
  } else if (args[i] === "--preset") {
    const [name, range] = args[++i].split(":");
    const [lo, hi] = (range || "1").split("-").map((x) => parseInt(x, 10));
    if (!PRESETS[name]) throw new Error("unknown preset " + name);
    for (let u = lo; u <= (hi || lo); u++) PRESETS[name](u);
  } else {
    throw new Error("unknown argument " + args[i]);
  }
}
if (ports.length === 0) throw new Error("--port is required");

let seq = 0;
function apply(cmd, done) {
  switch (cmd.op) {
    case "set": set(cmd.unit, cmd.table, cmd.address, cmd.type || "uint16", cmd.value, cmd.word_order); break;
    case "raw": store(cmd.unit, cmd.table, cmd.address, cmd.registers); break;
    case "exception":
      if (cmd.code) unit(cmd.unit).exceptions[cmd.table].set(cmd.address, cmd.code);
      else unit(cmd.unit).exceptions[cmd.table].delete(cmd.address);
      break;
    case "mute": unit(cmd.unit).muted = !!cmd.on; break;
    case "stop": return close(done);
    case "start": listen(); break;
    default: throw new Error("unknown op " + cmd.op);
  }
  done();
}

const rl = readline.createInterface({input: process.stdin});
rl.on("line", (line) => {
  if (!line.trim()) return;
  const n = ++seq;
  try {
    const cmd = JSON.parse(line);
    apply(cmd, () => emit({event: "ok", op: cmd.op, seq: n}));
  } catch (e) {
    emit({event: "error", message: e.message, seq: n});
  }
});
rl.on("close", () => close(() => process.exit(0)));

listen();
