/*
 * "Draw a digit": a copy of the book's convnet (chapter 11, trained with
 * chapter 12's recipe and seed by tools/export_demo_model.py) reading a digit
 * drawn on the page, in plain JavaScript, in the reader's browser. Nothing is sent
 * anywhere, and nothing is fetched: the weights come from the script
 * mnist_demo_model.js, loaded before this one, which sets
 * window.MNIST_DEMO_MODEL (format: the docstring of tools/export_demo_model.py).
 *
 * Used by chapters/draw_a_digit.md only. Two halves:
 *
 * 1. The same computation as the book's Python, exposed for the tests
 *    (tests/test_demo_page.py) and for curious readers, as window.mnistDemo:
 *
 *      mnistDemo.ready            Promise: resolves to the model's meta
 *                                 (its measured accuracies, recipe, date)
 *                                 once the weights are decoded; rejects if
 *                                 the weights file is missing or unreadable.
 *      mnistDemo.prepare(gray, width, height[, {invert}])
 *                                 a picture of one digit (width × height
 *                                 grayscale values, row by row, 0-1 or
 *                                 0-255) → Float32Array(784), the 28×28
 *                                 image in 0-1, exactly as
 *                                 mnistbook.prepare_image makes it; null for
 *                                 a blank picture (where prepare_image
 *                                 raises ImageError).
 *      mnistDemo.predict(pixels)  784 values 0-1 (a 28×28 image, row by
 *                                 row) → Array(10), the probability of
 *                                 each digit 0-9.
 *      mnistDemo.featureMaps(pixels)
 *                                 → Array(32) of Float32Array(26 × 26): the
 *                                 first convolution's output (after its
 *                                 ReLU), one map per filter, row by row.
 *      mnistDemo.timings          milliseconds: decoding the weights, and
 *                                 from navigation start until the page
 *                                 answered its first drawing request.
 *
 * 2. The page: a canvas (mouse, touch and pen, through Pointer Events), the
 *    28×28 image the network sees, its answer, the ten probabilities and the
 *    first layer's 32 feature maps, redrawn at most once per animation frame
 *    and only when the drawing changed. Numbers from the weights file's meta
 *    fill the elements with a data-meta attribute, anywhere on the page. The
 *    answer is also told to screen readers, in a visually hidden aria-live
 *    sentence, when a stroke ends or the page draws an example (not at every
 *    change, which would be too chatty).
 *
 * Arithmetic: every array is a Float32Array, as in Keras; sums of products
 * are accumulated in JavaScript's 64-bit numbers and stored as 32-bit
 * floats. The answers agree with Keras to about 1e-6 (the tests allow 1e-4).
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------
  // The weights: base64, little-endian float16 (or float32) → Float32Array
  // ------------------------------------------------------------------

  let HALF = null; // all 65,536 float16 values as float32, built once

  function halfTable() {
    if (HALF) return HALF;
    HALF = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exponent = (h >> 10) & 0x1f;
      const fraction = h & 0x3ff;
      let value;
      if (exponent === 0) value = fraction * Math.pow(2, -24); // subnormal
      else if (exponent === 31) value = fraction ? NaN : Infinity;
      else value = (1 + fraction / 1024) * Math.pow(2, exponent - 15);
      HALF[h] = sign * value;
    }
    return HALF;
  }

  // Base64 of little-endian floats ("float16" as the page's file stores
  // them, or "float32") → Float32Array of `count` values.
  function decodeFloats(text, count, dtype) {
    const bytes = atob(text);
    const size = dtype === "float32" ? 4 : 2;
    if (bytes.length !== size * count) {
      throw new Error("expected " + count + " " + dtype + " values, found " + bytes.length / size);
    }
    const out = new Float32Array(count);
    if (dtype === "float32") {
      const view = new DataView(new ArrayBuffer(bytes.length));
      for (let i = 0; i < bytes.length; i++) view.setUint8(i, bytes.charCodeAt(i));
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    const table = halfTable();
    for (let i = 0; i < count; i++) {
      out[i] = table[bytes.charCodeAt(2 * i) | (bytes.charCodeAt(2 * i + 1) << 8)];
    }
    return out;
  }

  function product(shape) {
    return shape.reduce(function (a, b) { return a * b; }, 1);
  }

  function loadModel(file) {
    if (!file || typeof file !== "object") {
      throw new Error("the weights (mnist_demo_model.js) did not load");
    }
    if (file.format !== 1) {
      throw new Error("unknown weights format " + file.format + "; this page reads format 1");
    }
    const dtype = file.dtype || "float16";
    if (dtype !== "float16" && dtype !== "float32") throw new Error("unknown number type " + dtype);
    const layers = file.layers.map(function (layer) {
      if (layer.type === "conv2d" || layer.type === "dense") {
        const shape = layer.shape;
        return {
          type: layer.type,
          shape: shape,
          activation: layer.activation,
          kernel: decodeFloats(layer.kernel, product(shape), dtype),
          bias: decodeFloats(layer.bias, shape[shape.length - 1], dtype),
        };
      }
      if (layer.type === "maxpool2d" || layer.type === "flatten") return { type: layer.type };
      throw new Error("unknown layer type " + layer.type);
    });
    if (layers[0].type !== "conv2d") throw new Error("the first layer must be a convolution");
    return { meta: file.meta || {}, layers: layers };
  }

  // ------------------------------------------------------------------
  // The forward pass. A tensor is {data: Float32Array, h, w, c}, stored
  // row-major over height, width, channels (Keras's channels_last), so
  // flattening it is a no-op, exactly like keras.layers.Flatten.
  // ------------------------------------------------------------------

  function activate(acc, activation, out, offset) {
    const n = acc.length;
    if (activation === "relu") {
      for (let i = 0; i < n; i++) out[offset + i] = acc[i] > 0 ? acc[i] : 0;
    } else if (activation === "softmax") {
      let max = -Infinity;
      for (let i = 0; i < n; i++) if (acc[i] > max) max = acc[i];
      let sum = 0;
      for (let i = 0; i < n; i++) { acc[i] = Math.exp(acc[i] - max); sum += acc[i]; }
      for (let i = 0; i < n; i++) out[offset + i] = acc[i] / sum;
    } else {
      throw new Error("unknown activation " + activation);
    }
  }

  // 3×3 (any size) convolution, stride 1, no padding ("valid"), then the activation.
  // Kernel in Keras's order: height × width × in × out.
  function conv2d(x, layer) {
    const kh = layer.shape[0], kw = layer.shape[1], cin = layer.shape[2], cout = layer.shape[3];
    if (cin !== x.c) throw new Error("conv2d expects " + cin + " channels, got " + x.c);
    const oh = x.h - kh + 1, ow = x.w - kw + 1;
    const out = new Float32Array(oh * ow * cout);
    const acc = new Float64Array(cout);
    const k = layer.kernel, bias = layer.bias, input = x.data;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let o = 0; o < cout; o++) acc[o] = bias[o];
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const inBase = ((oy + ky) * x.w + (ox + kx)) * cin;
            const kBase = (ky * kw + kx) * cin * cout;
            for (let i = 0; i < cin; i++) {
              const v = input[inBase + i];
              if (v === 0) continue; // after a ReLU most inputs are 0
              const row = kBase + i * cout;
              for (let o = 0; o < cout; o++) acc[o] += v * k[row + o];
            }
          }
        }
        activate(acc, layer.activation, out, (oy * ow + ox) * cout);
      }
    }
    return { data: out, h: oh, w: ow, c: cout };
  }

  // 2×2 max pooling, stride 2, no padding (an odd last row or column is dropped).
  function maxpool2d(x) {
    const oh = Math.floor(x.h / 2), ow = Math.floor(x.w / 2), c = x.c;
    const out = new Float32Array(oh * ow * c);
    const d = x.data;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const a = ((2 * oy) * x.w + 2 * ox) * c, b = a + c;
        const e = a + x.w * c, f = e + c;
        const o = (oy * ow + ox) * c;
        for (let i = 0; i < c; i++) {
          out[o + i] = Math.max(d[a + i], d[b + i], d[e + i], d[f + i]);
        }
      }
    }
    return { data: out, h: oh, w: ow, c: c };
  }

  // Dense layer: weights in × out, then the activation.
  function dense(x, layer) {
    const nin = layer.shape[0], nout = layer.shape[1];
    if (x.data.length !== nin) throw new Error("dense expects " + nin + " inputs, got " + x.data.length);
    const acc = new Float64Array(nout);
    for (let o = 0; o < nout; o++) acc[o] = layer.bias[o];
    const k = layer.kernel, input = x.data;
    for (let i = 0; i < nin; i++) {
      const v = input[i];
      if (v === 0) continue;
      const row = i * nout;
      for (let o = 0; o < nout; o++) acc[o] += v * k[row + o];
    }
    const out = new Float32Array(nout);
    activate(acc, layer.activation, out, 0);
    return { data: out, h: 1, w: 1, c: nout };
  }

  function asImage(pixels) {
    if (!pixels || pixels.length !== 784) {
      throw new Error("expected 784 values (a 28×28 image, row by row); got " + (pixels && pixels.length));
    }
    return { data: Float32Array.from(pixels), h: 28, w: 28, c: 1 };
  }

  // Run the network; returns the probabilities and the first layer's output.
  function forward(model, pixels, firstOnly) {
    let x = asImage(pixels);
    let first = null;
    for (const layer of model.layers) {
      if (layer.type === "conv2d") x = conv2d(x, layer);
      else if (layer.type === "maxpool2d") x = maxpool2d(x);
      else if (layer.type === "dense") x = dense(x, layer);
      // "flatten": the data is already in Keras's flattened order
      if (!first) {
        first = x;
        if (firstOnly) break;
      }
    }
    return { probabilities: firstOnly ? null : Array.from(x.data), first: first };
  }

  function splitMaps(first) {
    const maps = [];
    const n = first.h * first.w;
    for (let m = 0; m < first.c; m++) {
      const map = new Float32Array(n);
      for (let i = 0; i < n; i++) map[i] = first.data[i * first.c + m];
      maps.push(map);
    }
    return maps;
  }

  // ------------------------------------------------------------------
  // Preparing a drawing exactly as mnistbook.prepare_image does
  // (mnistbook/images.py). NumPy computes in float32 there; Math.fround
  // rounds the same way here, so the crop finds the same pixels.
  // ------------------------------------------------------------------

  const f32 = Math.fround;

  // Python's round(): halves go to the even neighbour.
  function roundHalfEven(x) {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }

  // np.median of float32 values: the middle value, or the float32 mean of the two.
  function median(values) {
    const sorted = Float32Array.from(values).sort();
    const n = sorted.length, mid = n >> 1;
    return n % 2 ? sorted[mid] : f32((sorted[mid - 1] + sorted[mid]) / 2);
  }

  function border(gray, width, height) {
    const values = [];
    for (let x = 0; x < width; x++) values.push(gray[x]); // first row
    for (let x = 0; x < width; x++) values.push(gray[(height - 1) * width + x]); // last row
    for (let y = 0; y < height; y++) values.push(gray[y * width]); // first column
    for (let y = 0; y < height; y++) values.push(gray[y * width + width - 1]); // last column
    return values;
  }

  // Pillow's LANCZOS (src/libImaging/Resample.c): a Lanczos window of 3
  // lobes, widened by the reduction factor when shrinking, weights
  // normalized to sum to 1, computed in 64-bit floats, results stored in
  // float32; first along rows, then along columns.
  function sinc(x) {
    if (x === 0) return 1;
    x *= Math.PI;
    return Math.sin(x) / x;
  }

  function lanczos(x) {
    return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0;
  }

  function coefficients(inSize, outSize) {
    const scale = inSize / outSize;
    const filterscale = Math.max(scale, 1);
    const support = 3 * filterscale;
    const inverse = 1 / filterscale;
    const taps = [];
    for (let xx = 0; xx < outSize; xx++) {
      const center = (xx + 0.5) * scale;
      const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
      const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
      const weights = new Float64Array(xmax);
      let total = 0;
      for (let x = 0; x < xmax; x++) {
        weights[x] = lanczos((x + xmin - center + 0.5) * inverse);
        total += weights[x];
      }
      if (total !== 0) for (let x = 0; x < xmax; x++) weights[x] /= total;
      taps.push({ start: xmin, weights: weights });
    }
    return taps;
  }

  // Resize a float32 image (width × height, row-major) to newWidth × newHeight.
  function resizeLanczos(src, width, height, newWidth, newHeight) {
    let image = src, w = width;
    if (newWidth !== width) {
      const taps = coefficients(width, newWidth);
      const out = new Float32Array(newWidth * height);
      for (let y = 0; y < height; y++) {
        const row = y * width;
        for (let xx = 0; xx < newWidth; xx++) {
          const t = taps[xx];
          let sum = 0;
          for (let x = 0; x < t.weights.length; x++) sum += image[row + t.start + x] * t.weights[x];
          out[y * newWidth + xx] = sum;
        }
      }
      image = out;
      w = newWidth;
    }
    if (newHeight !== height) {
      const taps = coefficients(height, newHeight);
      const out = new Float32Array(w * newHeight);
      for (let yy = 0; yy < newHeight; yy++) {
        const t = taps[yy];
        for (let x = 0; x < w; x++) {
          let sum = 0;
          for (let y = 0; y < t.weights.length; y++) sum += image[(t.start + y) * w + x] * t.weights[y];
          out[yy * w + x] = sum;
        }
      }
      image = out;
    }
    return image;
  }

  function prepare(pixels, width, height, options) {
    const invertOption = options && options.invert !== undefined ? options.invert : null;
    if (!(width >= 2 && height >= 2) || !pixels || pixels.length !== width * height) {
      throw new Error("expected width × height grayscale values, at least 2 × 2");
    }
    // 1. grayscale floats in [0, 1] (values above 1 are taken as 0-255)
    let gray = Float32Array.from(pixels);
    let top = -Infinity;
    for (let i = 0; i < gray.length; i++) {
      if (!Number.isFinite(gray[i])) throw new Error("expected finite pixel values");
      if (gray[i] > top) top = gray[i];
    }
    for (let i = 0; i < gray.length; i++) {
      const v = top > 1 ? f32(gray[i] / 255) : gray[i];
      gray[i] = Math.min(Math.max(v, 0), 1);
    }
    // 2. white ink on black: invert when the border is mostly light
    const invert = invertOption === null ? median(border(gray, width, height)) > 0.5 : Boolean(invertOption);
    if (invert) for (let i = 0; i < gray.length; i++) gray[i] = f32(1 - gray[i]);
    const paper = median(border(gray, width, height));
    let max = 0;
    for (let i = 0; i < gray.length; i++) {
      gray[i] = Math.max(f32(gray[i] - paper), 0);
      if (gray[i] > max) max = gray[i];
    }
    if (max <= f32(0.05)) return null; // blank: prepare_image raises ImageError
    for (let i = 0; i < gray.length; i++) gray[i] = f32(gray[i] / max);

    // 3. crop to the ink: rows and columns with a pixel above 0.2 (NumPy
    //    compares float32 pixels with 0.2 rounded to float32)
    const INK = f32(0.2);
    let r0 = height, r1 = -1, c0 = width, c1 = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (gray[y * width + x] > INK) {
          if (y < r0) r0 = y;
          if (y > r1) r1 = y;
          if (x < c0) c0 = x;
          if (x > c1) c1 = x;
        }
      }
    }
    const h = r1 - r0 + 1, w = c1 - c0 + 1;
    const digit = new Float32Array(h * w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) digit[y * w + x] = gray[(r0 + y) * width + c0 + x];
    }

    // 4. the longer side becomes 20 pixels
    const scale = 20 / Math.max(h, w);
    const newH = Math.max(1, roundHalfEven(h * scale)), newW = Math.max(1, roundHalfEven(w * scale));
    const small = resizeLanczos(digit, w, h, newW, newH);

    // 5. into a 28×28 frame, then shifted so the center of mass is in the middle
    const frame = new Float32Array(784);
    const frameTop = Math.floor((28 - newH) / 2), frameLeft = Math.floor((28 - newW) / 2);
    let total = 0, sumY = 0, sumX = 0;
    for (let y = 0; y < newH; y++) {
      for (let x = 0; x < newW; x++) {
        const v = Math.min(Math.max(small[y * newW + x], 0), 1);
        frame[(frameTop + y) * 28 + frameLeft + x] = v;
        total += v;
        sumY += (frameTop + y) * v;
        sumX += (frameLeft + x) * v;
      }
    }
    let dy = roundHalfEven(13.5 - sumY / total), dx = roundHalfEven(13.5 - sumX / total);
    dy = Math.min(Math.max(dy, -frameTop), 28 - (frameTop + newH));
    dx = Math.min(Math.max(dx, -frameLeft), 28 - (frameLeft + newW));
    const out = new Float32Array(784);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const sy = y - dy, sx = x - dx;
        if (sy >= 0 && sy < 28 && sx >= 0 && sx < 28) out[y * 28 + x] = frame[sy * 28 + sx];
      }
    }
    return out;
  }

  // ------------------------------------------------------------------
  // The public hook
  // ------------------------------------------------------------------

  const timings = {};
  let model = null;
  let failure = null;
  const started = performance.now();
  try {
    model = loadModel(window.MNIST_DEMO_MODEL);
  } catch (error) {
    failure = error;
  }
  timings.decode_ms = performance.now() - started;

  function need() {
    if (!model) throw failure;
    return model;
  }

  const ready = model ? Promise.resolve(model.meta) : Promise.reject(failure);
  ready.catch(function () {}); // the page reports the failure itself

  window.mnistDemo = {
    ready: ready,
    prepare: prepare,
    predict: function (pixels) { return forward(need(), pixels, false).probabilities; },
    featureMaps: function (pixels) { return splitMaps(forward(need(), pixels, true).first); },
    timings: timings,
  };

  // ------------------------------------------------------------------
  // The page
  // ------------------------------------------------------------------

  const SIZE = 280; // the drawing's own resolution, whatever its size on screen
  const LINE = 20; // pen width on that scale

  // Example strokes for the digit buttons, on a 280 × 280 canvas.
  function arc(cx, cy, rx, ry, from, to, steps) {
    const points = [];
    for (let i = 0; i <= steps; i++) {
      const a = ((from + (to - from) * i / steps) * Math.PI) / 180;
      points.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
    }
    return points;
  }

  // Angles in degrees, clockwise on screen: 0 = right, 90 = down, 180 = left, 270 = up.
  const EXAMPLES = [
    [arc(140, 140, 58, 88, 265, 625, 48)],
    [[[112, 82], [146, 52], [146, 228]]],
    [arc(138, 105, 52, 48, 200, 380, 24).concat([[168, 150], [92, 226], [198, 226]])],
    [arc(134, 96, 50, 42, 210, 450, 24).concat(arc(134, 180, 56, 46, 270, 500, 24))],
    [[[168, 52], [88, 168], [200, 168]], [[168, 108], [168, 230]]],
    [[[192, 56], [112, 56], [102, 128]].concat(arc(136, 172, 58, 54, 235, 500, 28))],
    [[[176, 56], [130, 96]].concat(arc(138, 174, 52, 52, 200, 560, 36))],
    [[[88, 60], [196, 60], [130, 228]]],
    [arc(140, 96, 44, 42, 90, 450, 32).concat(arc(140, 180, 54, 48, 270, 630, 36))],
    [arc(138, 100, 50, 46, 0, 360, 32).concat([[188, 112], [176, 228]])],
  ];

  function initPage() {
    const root = document.getElementById("mnist-demo");
    if (!root) return;
    const $ = function (name) { return root.querySelector("[data-demo=" + name + "]"); };
    const canvas = $("canvas");
    const ctx = canvas.getContext("2d");
    const offscreen = document.createElement("canvas");
    offscreen.width = offscreen.height = SIZE;
    const off = offscreen.getContext("2d", { willReadFrequently: true });
    const inputCanvas = $("input");
    const inputCtx = inputCanvas.getContext("2d");
    const digitOut = $("digit"), sureOut = $("sure"), live = $("live"), status = $("status");

    root.classList.add("mnist-demo-on");
    if (!model) {
      status.textContent = "The network could not be loaded (" + failure.message + "), so this page cannot " +
        "read digits. The rest of the book works without it.";
      root.classList.add("mnist-demo-failed");
      return;
    }

    // The ten bars
    const barsBox = $("bars");
    const bars = [];
    for (let d = 0; d < 10; d++) {
      const row = document.createElement("div");
      row.className = "mnist-demo-bar";
      row.innerHTML = '<span class="mnist-demo-bar-label">' + d + '</span>' +
        '<span class="mnist-demo-bar-track" aria-hidden="true"><span class="mnist-demo-bar-fill"></span></span>' +
        '<span class="mnist-demo-bar-value">–</span>';
      barsBox.appendChild(row);
      bars.push({ row: row, fill: row.querySelector(".mnist-demo-bar-fill"), value: row.querySelector(".mnist-demo-bar-value") });
    }

    // The 32 feature maps
    const mapsBox = $("maps");
    const first = model.layers[0];
    const mapCount = first.shape[3];
    const mapCanvases = [];
    for (let m = 0; m < mapCount; m++) {
      const cell = document.createElement("div");
      cell.className = "mnist-demo-map-cell";
      const c = document.createElement("canvas");
      c.width = c.height = 28 - first.shape[0] + 1;
      c.className = "mnist-demo-map";
      c.title = "filter " + (m + 1);
      const number = document.createElement("span");
      number.className = "mnist-demo-map-number";
      number.setAttribute("aria-hidden", "true");
      number.textContent = String(m + 1);
      cell.appendChild(c);
      cell.appendChild(number);
      mapsBox.appendChild(cell);
      mapCanvases.push(c.getContext("2d"));
    }

    // The measured numbers, from the weights file
    const meta = model.meta;
    function percent(x, digits) { return (100 * x).toFixed(digits) + "%"; }
    // A probability as people read it: never "100.0%" for 0.99996.
    function share(p, words) {
      if (p > 0.999) return (words ? "more than " : ">") + "99.9%";
      if (p < 0.001) return (words ? "less than " : "<") + "0.1%";
      return percent(p, 1);
    }
    function count(n) { return Number(n).toLocaleString("en-US"); }
    function metaText(key, value) {
      if (/accuracy/.test(key)) return percent(value, 1);
      if (/_changed_by_export$/.test(key) && value === 0) return "none";
      return typeof value === "number" ? count(value) : String(value);
    }
    // Anywhere on the page (the text below the demo too). A sentence marked
    // mnist-demo-from-meta stays hidden unless the file has all its numbers.
    document.querySelectorAll("[data-meta]").forEach(function (el) {
      const key = el.getAttribute("data-meta");
      const value = meta[key];
      if (value === undefined || value === null) return;
      el.textContent = metaText(key, value);
      el.setAttribute("data-meta-shown", "");
    });
    document.querySelectorAll(".mnist-demo-from-meta").forEach(function (el) {
      if (!el.querySelector("[data-meta]:not([data-meta-shown])")) el.hidden = false;
    });

    let strokes = [];
    let dirty = false, frame = 0, last = null, announcing = false;

    function strokePaths(context, scale) {
      context.lineCap = context.lineJoin = "round";
      context.lineWidth = LINE * scale;
      for (const stroke of strokes) {
        context.beginPath();
        context.moveTo(stroke[0][0] * scale, stroke[0][1] * scale);
        if (stroke.length === 1) context.lineTo(stroke[0][0] * scale + 0.01, stroke[0][1] * scale);
        for (let i = 1; i < stroke.length; i++) context.lineTo(stroke[i][0] * scale, stroke[i][1] * scale);
        context.stroke();
      }
    }

    // The visible canvas, in the theme's colours, sharp on any screen.
    function renderVisible() {
      const ratio = window.devicePixelRatio || 1;
      const cssSize = canvas.getBoundingClientRect().width || SIZE;
      const pixels = Math.round(cssSize * ratio);
      if (canvas.width !== pixels) canvas.width = canvas.height = pixels;
      const style = getComputedStyle(canvas);
      ctx.fillStyle = style.backgroundColor;
      ctx.fillRect(0, 0, pixels, pixels);
      ctx.strokeStyle = style.color;
      strokePaths(ctx, pixels / SIZE);
    }

    function grayscale(data, count, scale) {
      const image = new ImageData(count, count);
      for (let i = 0; i < count * count; i++) {
        const v = Math.round(255 * Math.min(Math.max(data[i] * scale, 0), 1));
        image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
        image.data[4 * i + 3] = 255;
      }
      return image;
    }

    function showBlank() {
      last = null;
      inputCtx.fillStyle = "#000";
      inputCtx.fillRect(0, 0, 28, 28);
      digitOut.textContent = "?";
      sureOut.textContent = "Draw a digit";
      root.removeAttribute("data-answer");
      for (const bar of bars) {
        bar.fill.style.width = "0%";
        bar.value.textContent = "–";
        bar.row.classList.remove("mnist-demo-top");
      }
      for (const c of mapCanvases) { c.fillStyle = "#000"; c.fillRect(0, 0, c.canvas.width, c.canvas.height); }
    }

    // Read the drawing as the network will: white ink on black, SIZE × SIZE.
    function classify() {
      off.fillStyle = "#000";
      off.fillRect(0, 0, SIZE, SIZE);
      off.strokeStyle = "#fff";
      strokePaths(off, 1);
      const rgba = off.getImageData(0, 0, SIZE, SIZE).data;
      const gray = new Float32Array(SIZE * SIZE);
      for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i] / 255;
      const pixels = strokes.length ? prepare(gray, SIZE, SIZE) : null;
      if (!pixels) { showBlank(); return; }

      const result = forward(model, pixels, false);
      const p = result.probabilities;
      let best = 0;
      for (let d = 1; d < 10; d++) if (p[d] > p[best]) best = d;
      last = { digit: best, probability: p[best] };

      inputCtx.putImageData(grayscale(pixels, 28, 1), 0, 0);
      digitOut.textContent = String(best);
      sureOut.textContent = "probability " + share(p[best]);
      root.setAttribute("data-answer", String(best));
      for (let d = 0; d < 10; d++) {
        bars[d].fill.style.width = (100 * p[d]).toFixed(1) + "%";
        bars[d].value.textContent = share(p[d]);
        bars[d].row.classList.toggle("mnist-demo-top", d === best);
      }
      const maps = result.first;
      let top = 0;
      for (let i = 0; i < maps.data.length; i++) if (maps.data[i] > top) top = maps.data[i];
      const side = maps.w;
      const one = new Float32Array(side * side);
      for (let m = 0; m < mapCanvases.length; m++) {
        for (let i = 0; i < one.length; i++) one[i] = maps.data[i * maps.c + m];
        mapCanvases[m].putImageData(grayscale(one, side, top > 0 ? 1 / top : 0), 0, 0);
      }
    }

    // The answer for screen readers (the sentence is visually hidden, so it is
    // never seen out of date while a stroke goes on).
    function announce() {
      live.textContent = last
        ? "The network reads " + (last.digit === 8 ? "an " : "a ") + last.digit + ", with probability " +
          share(last.probability, true) + "."
        : "The canvas is empty. Draw a digit, or let the page draw one.";
    }

    function update() {
      frame = 0;
      renderVisible();
      if (dirty) {
        dirty = false;
        classify();
      }
      if (announcing) {
        announcing = false;
        announce(); // after classify: the answer of the finished drawing
      }
    }

    function changed() {
      dirty = true;
      if (!frame) frame = requestAnimationFrame(update);
    }

    // A stroke ended, or the drawing was replaced: tell screen readers the
    // answer in the next frame, once it is computed.
    function announceSoon() {
      announcing = true;
      if (!frame) frame = requestAnimationFrame(update);
    }

    function point(event) {
      const rect = canvas.getBoundingClientRect();
      return [(event.clientX - rect.left) * SIZE / rect.width, (event.clientY - rect.top) * SIZE / rect.height];
    }

    let drawing = null;
    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 && event.pointerType === "mouse") return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = event.pointerId;
      strokes.push([point(event)]);
      changed();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (drawing !== event.pointerId) return;
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
      const stroke = strokes[strokes.length - 1];
      for (const e of events.length ? events : [event]) stroke.push(point(e));
      changed();
    });
    function end(event) {
      if (drawing !== event.pointerId) return;
      drawing = null;
      announceSoon();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    $("clear").addEventListener("click", function () {
      strokes = [];
      changed();
      announceSoon();
    });
    root.querySelectorAll("[data-example]").forEach(function (button) {
      button.addEventListener("click", function () {
        const digit = Number(button.getAttribute("data-example"));
        strokes = EXAMPLES[digit].map(function (stroke) { return stroke.map(function (p) { return p.slice(); }); });
        changed();
        announceSoon();
      });
    });

    // Redraw in the new colours when the reader switches the theme or the size changes.
    new MutationObserver(function () { if (!frame) frame = requestAnimationFrame(update); })
      .observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme", "data-mode"] });
    window.addEventListener("resize", function () { if (!frame) frame = requestAnimationFrame(update); });

    showBlank();
    renderVisible();
    status.textContent = "";
    timings.interactive_ms = performance.now();
    root.classList.add("mnist-demo-ready");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initPage);
  else initPage();
})();
