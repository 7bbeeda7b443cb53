//! `--audio alsa`: the line audio through the sound card, with the `cpal` crate (ALSA on Linux).
//!
//! One input and one output device (the defaults, or those whose names contain `--device`), at
//! one sample rate: 8000 Hz when both can, else the first of 48000, 44100, 16000, 32000, 96000
//! and 22050 Hz that both can, resampled to and from the modem's 8000 Hz by
//! [`softmodem::HostAdapter`]. The first channel is heard; every channel gets what is sent. The
//! card's threads and the modem meet in two queues: what was heard (the modem takes it 20 ms at
//! a time) and what to send (played as it comes, silence when it runs dry, trimmed when the two
//! devices' clocks drift apart and it grows).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{Device, FromSample, Sample, SampleFormat, SizedSample, Stream, StreamConfig, SupportedStreamConfigRange};

/// Rates tried, in order of preference, when a device cannot do 8000 Hz.
const RATES: [u32; 7] = [8000, 48_000, 44_100, 16_000, 32_000, 96_000, 22_050];

/// Sample formats handled, in order of preference.
const FORMATS: [SampleFormat; 3] = [SampleFormat::F32, SampleFormat::I16, SampleFormat::I32];

/// The sound card, running.
pub struct Sound {
    rate: u32,
    input: Arc<Mutex<VecDeque<f32>>>,
    output: Arc<Mutex<VecDeque<f32>>>,
    failure: Arc<Mutex<Option<String>>>,
    streams: [Stream; 2],
}

/// The queue limits, in seconds of audio: heard but not taken, and to send.
const INPUT_MAX_S: f32 = 1.0;
const OUTPUT_MAX_S: f32 = 0.2;
/// Silence queued for output before the first block: the margin against running dry, seconds.
const OUTPUT_LEAD_S: f32 = 0.04;

/// `--list-devices`: the devices that can record and those that can play.
pub fn list() -> Result<(), String> {
    let host = cpal::default_host();
    println!("Input devices ({}):", host.id().name());
    for d in host.input_devices().map_err(|e| format!("cannot list input devices: {e}"))? {
        println!("  {}{}", label(&d), rates(d.supported_input_configs().ok().map(|c| c.collect())));
    }
    println!("Output devices:");
    for d in host.output_devices().map_err(|e| format!("cannot list output devices: {e}"))? {
        println!("  {}{}", label(&d), rates(d.supported_output_configs().ok().map(|c| c.collect())));
    }
    Ok(())
}

/// A device's short name (ALSA's PCM name: `default`, `hw:CARD=Device,DEV=0`, `null`), if it has
/// one.
fn short_name(d: &Device) -> String {
    d.id().map(|i| i.id().to_string()).unwrap_or_default()
}

/// "hw:CARD=Device,DEV=0: USB Audio Device" for the list and messages.
fn label(d: &Device) -> String {
    match short_name(d) {
        s if s.is_empty() => d.to_string(),
        s => format!("{s}: {}", d.to_string().replace('\n', " ")),
    }
}

/// " (8000-192000 Hz)" for a list's lines.
fn rates(configs: Option<Vec<SupportedStreamConfigRange>>) -> String {
    let Some(c) = configs.filter(|c| !c.is_empty()) else { return String::new() };
    let lo = c.iter().map(|r| r.min_sample_rate()).min().unwrap_or(0);
    let hi = c.iter().map(|r| r.max_sample_rate()).max().unwrap_or(0);
    format!(" ({lo}-{hi} Hz)")
}

/// The device whose name contains `want` (case-insensitively), or the default one.
fn find(
    devices: Result<impl Iterator<Item = Device>, cpal::Error>,
    default: Option<Device>,
    want: Option<&str>,
    what: &str,
) -> Result<Device, String> {
    match want {
        None => default.ok_or_else(|| format!("no default {what} device (softmodem pty --list-devices)")),
        Some(w) => {
            // A short name given whole first, then a part of a short name or a description.
            let all: Vec<Device> = devices.map_err(|e| format!("cannot list {what} devices: {e}"))?.collect();
            let w = w.to_lowercase();
            let exact = all.iter().position(|d| short_name(d).to_lowercase() == w);
            let part = || all.iter().position(|d| label(d).to_lowercase().contains(&w));
            match exact.or_else(part) {
                Some(i) => Ok(all.into_iter().nth(i).expect("found")),
                None => Err(format!("no {what} device's name contains '{w}' (softmodem pty --list-devices)")),
            }
        }
    }
}

/// The best of `ranges` at `rate`: a handled format, the fewest channels.
fn pick(ranges: &[SupportedStreamConfigRange], rate: u32) -> Option<(StreamConfig, SampleFormat)> {
    FORMATS.iter().find_map(|&f| {
        ranges
            .iter()
            .filter(|r| r.sample_format() == f && r.contains_rate(rate))
            .min_by_key(|r| r.channels())
            .map(|r| ((*r).with_sample_rate(rate).config(), f))
    })
}

impl Sound {
    /// Opens the input and output devices (`device`: a part of their names) at a rate both can
    /// do; the streams start with [`Sound::start`].
    pub fn open(device: Option<&str>) -> Result<Sound, String> {
        let host = cpal::default_host();
        let input = find(host.input_devices(), host.default_input_device(), device, "input")?;
        let output = find(host.output_devices(), host.default_output_device(), device, "output")?;
        let (input_name, output_name) = (short_name(&input), short_name(&output));
        let in_ranges: Vec<_> =
            input.supported_input_configs().map_err(|e| format!("input device {}: {e}", label(&input)))?.collect();
        let out_ranges: Vec<_> =
            output.supported_output_configs().map_err(|e| format!("output device {}: {e}", label(&output)))?.collect();
        let ((in_config, in_format), (out_config, out_format), rate) = RATES
            .iter()
            .find_map(|&rate| Some((pick(&in_ranges, rate)?, pick(&out_ranges, rate)?, rate)))
            .ok_or_else(|| {
                format!(
                    "the input device {input_name}{} and the output device {output_name}{} share no rate of 8000, 48000, 44100, 16000, 32000, 96000 or 22050 Hz in 32-bit float or 16- or 32-bit integers",
                    rates(Some(in_ranges.clone())),
                    rates(Some(out_ranges.clone()))
                )
            })?;
        let input_q = Arc::new(Mutex::new(VecDeque::with_capacity(rate as usize)));
        let lead = (OUTPUT_LEAD_S * rate as f32) as usize;
        let output_q = Arc::new(Mutex::new(VecDeque::from(vec![0.0f32; lead])));
        let failure = Arc::new(Mutex::new(None));
        let input_max = (INPUT_MAX_S * rate as f32) as usize;
        let in_stream = match in_format {
            SampleFormat::F32 => record::<f32>(&input, in_config, &input_q, input_max, &failure),
            SampleFormat::I16 => record::<i16>(&input, in_config, &input_q, input_max, &failure),
            _ => record::<i32>(&input, in_config, &input_q, input_max, &failure),
        }
        .map_err(|e| format!("cannot record from {input_name}: {e}"))?;
        let out_stream = match out_format {
            SampleFormat::F32 => play::<f32>(&output, out_config, &output_q, &failure),
            SampleFormat::I16 => play::<i16>(&output, out_config, &output_q, &failure),
            _ => play::<i32>(&output, out_config, &output_q, &failure),
        }
        .map_err(|e| format!("cannot play to {output_name}: {e}"))?;
        eprintln!("softmodem pty: sound from {input_name}, to {output_name}, at {rate} Hz");
        Ok(Sound { rate, input: input_q, output: output_q, failure, streams: [in_stream, out_stream] })
    }

    /// The devices' sample rate, Hz.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Starts recording and playing.
    pub fn start(&self) -> Result<(), String> {
        for s in &self.streams {
            s.play().map_err(|e| format!("cannot start the sound card: {e}"))?;
        }
        Ok(())
    }

    /// Fills `block` with what was heard, if that much is waiting.
    pub fn take(&self, block: &mut [f32]) -> bool {
        let mut q = self.input.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() < block.len() {
            return false;
        }
        let n = block.len();
        for (b, x) in block.iter_mut().zip(q.drain(..n)) {
            *b = x;
        }
        true
    }

    /// Queues `block` to be played; the oldest samples are dropped if the queue has grown past
    /// its limit (the output device's clock slower than the input's).
    pub fn put(&self, block: &[f32]) {
        let max = (OUTPUT_MAX_S * self.rate as f32) as usize;
        let mut q = self.output.lock().unwrap_or_else(|e| e.into_inner());
        q.extend(block.iter().copied());
        if q.len() > max {
            let lead = (OUTPUT_LEAD_S * self.rate as f32) as usize;
            let extra = q.len() - lead.max(block.len());
            q.drain(..extra);
        }
    }

    /// Why a stream stopped, if one did (the device gone).
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The error callback: a device gone or a stream no longer valid ends the modem; an overrun or
/// underrun is a click on the line, which the modem rides through.
fn on_error(failure: &Arc<Mutex<Option<String>>>) -> impl FnMut(cpal::Error) + Send + 'static {
    let failure = Arc::clone(failure);
    move |e: cpal::Error| match e.kind() {
        cpal::ErrorKind::Xrun | cpal::ErrorKind::RealtimeDenied | cpal::ErrorKind::DeviceChanged => {}
        _ => {
            let mut f = failure.lock().unwrap_or_else(|e| e.into_inner());
            f.get_or_insert_with(|| e.to_string());
        }
    }
}

fn record<T>(
    device: &Device,
    config: StreamConfig,
    queue: &Arc<Mutex<VecDeque<f32>>>,
    max: usize,
    failure: &Arc<Mutex<Option<String>>>,
) -> Result<Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let channels = config.channels.max(1) as usize;
    let q = Arc::clone(queue);
    device.build_input_stream(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            let mut q = q.lock().unwrap_or_else(|e| e.into_inner());
            q.extend(data.chunks(channels).map(|frame| f32::from_sample(frame[0])));
            // Nobody taking it (the modem stalled): keep the newest.
            if q.len() > max {
                let extra = q.len() - max;
                q.drain(..extra);
            }
        },
        on_error(failure),
        None,
    )
}

fn play<T>(
    device: &Device,
    config: StreamConfig,
    queue: &Arc<Mutex<VecDeque<f32>>>,
    failure: &Arc<Mutex<Option<String>>>,
) -> Result<Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = config.channels.max(1) as usize;
    let q = Arc::clone(queue);
    device.build_output_stream(
        config,
        move |data: &mut [T], _: &cpal::OutputCallbackInfo| {
            let mut q = q.lock().unwrap_or_else(|e| e.into_inner());
            for frame in data.chunks_mut(channels) {
                let v = T::from_sample(q.pop_front().unwrap_or(0.0));
                frame.iter_mut().for_each(|s| *s = v);
            }
        },
        on_error(failure),
        None,
    )
}
