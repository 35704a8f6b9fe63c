// The headset view's microphone, in the audio thread: the device's rate (44.1 or 48 kHz, whatever the sound card
// runs at) down to 16 kHz 16-bit mono PCM, posted in 100 ms chunks (1600 samples, 3200 bytes: what /ws/headset
// takes), each with the state of a simple energy voice activity detector for the hands-free mode.
//
// Resampling: a windowed-sinc low-pass (cut at 7.2 kHz, below the new Nyquist) evaluated at each output instant,
// so speech keeps its consonants and nothing above 8 kHz folds back into the band.
//
// VAD: the level of each 10 ms frame (RMS, dBFS) against a noise floor that follows the quiet (falls at once,
// rises slowly): speech starts when 5 of the last 8 frames are 12 dB over the floor (and over -50 dBFS), and ends
// after 700 ms without such a frame. An energy VAD is simple and cheap, not clever: a loud machine close by keeps it
// open; the server's own (Silero) VAD still decides where words are.
"use strict";

const TARGET_RATE = 16000;
const CHUNK = 1600;          // 100 ms at 16 kHz
const FRAME = 160;           // 10 ms at 16 kHz
const HALF_TAPS = 12;        // kernel half-width, in output-rate samples
const CUTOFF = 0.45;         // of the output rate: 7.2 kHz
const START_FRAMES = 5, START_WINDOW = 8, END_FRAMES = 70;
const OVER_FLOOR_DB = 12, MIN_SPEECH_DB = -50;

class FrontlinePcm extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET_RATE;                    // input samples per output sample
    this.reach = Math.ceil(HALF_TAPS * Math.max(1, this.step)); // input samples either side an output needs
    this.input = new Float32Array(0);                        // input not yet consumed, with history for the kernel
    this.position = this.reach;                              // where the next output sample is, in `input`
    this.out = new Int16Array(CHUNK);
    this.filled = 0;
    this.frame = [];
    this.floor = -60;
    this.recent = [];
    this.quiet = 0;
    this.speech = false;
  }

  kernel(distance) {
    // distance in input samples → weight; the sinc is stretched to the output rate when going down
    const scale = Math.max(1, this.step);
    const t = distance / scale;
    if (Math.abs(t) >= HALF_TAPS) return 0;
    const sinc = t === 0 ? 2 * CUTOFF : Math.sin(2 * Math.PI * CUTOFF * t) / (Math.PI * t);
    const window = 0.5 + 0.5 * Math.cos(Math.PI * t / HALF_TAPS); // Hann
    return sinc * window / scale;
  }

  process(inputs) {
    const channels = inputs[0];
    if (!channels || channels.length === 0 || channels[0].length === 0) return true;
    const mono = new Float32Array(channels[0].length);
    for (const channel of channels) for (let i = 0; i < mono.length; i++) mono[i] += channel[i] / channels.length;
    const joined = new Float32Array(this.input.length + mono.length);
    joined.set(this.input);
    joined.set(mono, this.input.length);
    this.input = joined;
    while (this.position + this.reach < this.input.length) {
      const centre = this.position;
      const first = Math.ceil(centre - this.reach), last = Math.floor(centre + this.reach);
      let sum = 0, weights = 0;
      for (let i = Math.max(0, first); i <= last; i++) {
        const w = this.kernel(i - centre);
        sum += this.input[i] * w;
        weights += w;
      }
      this.emit(weights > 0 ? sum / weights : 0);
      this.position += this.step;
    }
    const drop = Math.max(0, Math.floor(this.position - this.reach));  // keep only the history still needed
    if (drop > 0) {
      this.input = this.input.slice(drop);
      this.position -= drop;
    }
    return true;
  }

  emit(sample) {
    const clipped = Math.max(-1, Math.min(1, sample));
    this.out[this.filled++] = clipped < 0 ? clipped * 0x8000 : clipped * 0x7fff;
    this.frame.push(clipped);
    if (this.frame.length === FRAME) this.detect();
    if (this.filled === CHUNK) {
      const pcm = this.out.buffer.slice(0);
      this.port.postMessage({ pcm, speech: this.speech, floor: this.floor }, [pcm]);
      this.filled = 0;
    }
  }

  detect() {
    let energy = 0;
    for (const s of this.frame) energy += s * s;
    this.frame = [];
    const level = 10 * Math.log10(energy / FRAME + 1e-10);
    // the floor falls to any quieter frame at once and rises 0.5 dB a second (100 frames) through speech
    this.floor = level < this.floor ? level : this.floor + 0.005;
    const voiced = level > Math.max(this.floor + OVER_FLOOR_DB, MIN_SPEECH_DB);
    this.recent.push(voiced);
    if (this.recent.length > START_WINDOW) this.recent.shift();
    if (!this.speech && this.recent.filter(Boolean).length >= START_FRAMES) {
      this.speech = true;
      this.quiet = 0;
    } else if (this.speech) {
      this.quiet = voiced ? 0 : this.quiet + 1;
      if (this.quiet >= END_FRAMES) this.speech = false;
    }
  }
}

registerProcessor("frontline-pcm", FrontlinePcm);
