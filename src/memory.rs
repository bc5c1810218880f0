//! How the binary's heap behaves, by the size of the config: whether it is
//! backed by 2 MiB pages, and which thread gives unused pages back.
//!
//! A check builds its syntax tree and Site model in fresh memory, and on a
//! 4 KiB page each first touch is a page fault: at 2,000 servers (4.6 MB of
//! config) 7,600 faults, a quarter of the check's CPU time. Transparent
//! huge pages about halve them, and about halve them again once
//! jemalloc's arenas grow by whole huge pages (`arenas` below): 1,000–2,800
//! are left. But a huge page is resident
//! whole, allocator slack included: at 20,000 servers (46 MB) the peak grew
//! from 280 to 302–309 MiB, and on a few kilobytes of config the process
//! took 17 MiB instead of 8 for no gain. So the binary asks jemalloc to
//! advise huge pages everywhere (`thp:always` in `main.rs`) and switches
//! the kernel's per-process flag (`PR_SET_THP_DISABLE`) by the bytes of
//! config read so far: off below [`HUGE_FROM`], on up to [`HUGE_BELOW`],
//! off again above. Past [`HUGE_FROM`] too, jemalloc's unused pages are
//! purged by its background thread rather than by the worker threads as
//! they end (`arenas::purge_in_background`). docs/performance.md has the
//! measurements.
//!
//! Only a program that calls [`manage_huge_pages`] (the binary, at start)
//! is affected: the library used in tests and benchmarks leaves the
//! process as it found it.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

/// Sources from this many bytes on get huge pages: below, the check's
/// memory is a few MiB and zeroing whole 2 MiB pages costs more than the
/// faults it saves.
pub const HUGE_FROM: u64 = 1 << 20;

/// Sources from this many bytes on are back on 4 KiB pages, keeping the
/// peak memory of very large configs at what they really use.
pub const HUGE_BELOW: u64 = 16 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
enum Stage {
    Small = 0,
    Medium = 1,
    Large = 2,
}

impl Stage {
    fn of(bytes: u64) -> Stage {
        if bytes >= HUGE_BELOW {
            Stage::Large
        } else if bytes >= HUGE_FROM {
            Stage::Medium
        } else {
            Stage::Small
        }
    }

    fn huge_pages(self) -> bool {
        self == Stage::Medium
    }
}

static MANAGED: AtomicBool = AtomicBool::new(false);
static READ: AtomicU64 = AtomicU64::new(0);
/// The stage applied last; only moves forward (sources only add up).
static STAGE: AtomicU8 = AtomicU8::new(Stage::Small as u8);
/// Held while a stage is applied, so that two threads crossing two
/// thresholds at once cannot leave the earlier stage's setting in force.
static APPLYING: Mutex<()> = Mutex::new(());

/// Take charge of huge pages for this process: off until the config turns
/// out to be large enough ([`sources_read`]).
pub fn manage_huge_pages() {
    MANAGED.store(true, Ordering::Relaxed);
    set_huge_pages(Stage::Small.huge_pages());
}

/// Count `bytes` more of config read (called for every file, from any
/// thread, before its bytes are read into memory) and switch huge pages on
/// or off when the total crosses a threshold; at the first, also hand
/// purging to jemalloc's background thread.
pub fn sources_read(bytes: u64) {
    if !MANAGED.load(Ordering::Relaxed) {
        return;
    }
    let total = READ.fetch_add(bytes, Ordering::Relaxed) + bytes;
    if step(STAGE.load(Ordering::Relaxed), total).is_none() {
        return;
    }
    let _applying = APPLYING.lock().unwrap_or_else(|e| e.into_inner());
    let current = STAGE.load(Ordering::Relaxed);
    if let Some(next) = step(current, total) {
        if current == Stage::Small as u8 {
            let on = arenas::purge_in_background();
            crate::timing::note(&format!(
                "jemalloc purges {}",
                if on { "in the background" } else { "as before" }
            ));
        }
        set_huge_pages(next.huge_pages());
        if next.huge_pages() {
            let (capped, count) = arenas::grow_by_huge_pages();
            crate::timing::note(&format!("{capped} of {count} arenas grow by 2 MiB"));
        }
        STAGE.store(next as u8, Ordering::Relaxed);
        crate::timing::note(&format!(
            "huge pages {} after {:.1} MiB of config",
            if next.huge_pages() { "on" } else { "off" },
            total as f64 / f64::from(1 << 20)
        ));
    }
}

/// The stage to move to from `current` (a [`Stage`] as stored) once
/// `total` bytes are read, if it is a later one.
fn step(current: u8, total: u64) -> Option<Stage> {
    let want = Stage::of(total);
    (want as u8 > current).then_some(want)
}

#[cfg(target_os = "linux")]
use std::ffi::c_ulong;

/// From `<linux/prctl.h>` (Linux 3.15+).
#[cfg(target_os = "linux")]
const PR_SET_THP_DISABLE: i32 = 41;

#[cfg(target_os = "linux")]
extern "C" {
    fn prctl(option: i32, ...) -> i32;
}

#[cfg(target_os = "linux")]
fn set_huge_pages(on: bool) {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag
    // on this process's memory map. A kernel without it returns EINVAL,
    // which leaves the pages as they were: nothing to do.
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            c_ulong::from(!on),
            0 as c_ulong,
            0 as c_ulong,
            0 as c_ulong,
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn set_huge_pages(_on: bool) {}

/// jemalloc's arenas, growing by whole huge pages.
///
/// An arena takes memory from the kernel in mappings of growing size: 2,
/// 2.5, 3, 3.5, 4, 5 MiB… The kernel starts a mapping at a 2 MiB boundary
/// only when its length is a multiple of 2 MiB, and a huge page needs a
/// whole aligned 2 MiB inside one mapping, so the odd-sized mappings were
/// partly or wholly on 4 KiB pages. Each arena now grows by exactly 2 MiB
/// (`arena.<i>.retain_grow_limit`): a 2,000-server check went from
/// 3,200–4,500 page faults to 1,000–2,800, and its CPU time down by a
/// tenth (docs/performance.md).
///
/// The limit only applies to arenas that exist, and jemalloc makes the
/// arena of a CPU when a thread first allocates on it; so the missing
/// arenas of the CPUs this process may run on are made here first
/// (writing an arena's `extent_hooks` makes it, as jemalloc's manual
/// says), with the hooks the first arena has, jemalloc's own. Only those
/// CPUs' (`Cpus_allowed_list`): a container pinned to two CPUs of a large
/// host would otherwise make dozens of arenas it never uses.
#[cfg(all(target_os = "linux", not(target_env = "musl")))]
mod arenas {
    use std::ffi::{CStr, CString};
    use tikv_jemalloc_sys::mallctl;

    /// One huge page.
    const GROW_BY: usize = 2 << 20;

    /// How many arenas now grow by [`GROW_BY`], of how many there are
    /// (made before, or made here for a CPU this process may run on).
    pub fn grow_by_huge_pages() -> (usize, usize) {
        let Some(count) = read::<u32>(c"opt.narenas") else {
            return (0, 0);
        };
        // A pointer, read and written back as an integer of its size.
        let hooks = read::<usize>(c"arena.0.extent_hooks");
        let allowed = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| super::allowed_cpus(&status));
        let (mut capped, mut there) = (0, 0);
        for i in 0..count {
            let arena = |what: &str| CString::new(format!("arena.{i}.{what}")).ok();
            let (Some(made), Some(hooks_name), Some(limit)) = (
                arena("initialized"),
                arena("extent_hooks"),
                arena("retain_grow_limit"),
            ) else {
                continue;
            };
            let mut exists = read::<bool>(&made) == Some(true);
            if !exists && allowed.as_ref().is_some_and(|cpus| cpus.contains(&i)) {
                exists = hooks.is_some_and(|h| write(&hooks_name, h));
            }
            if exists {
                there += 1;
                capped += usize::from(write(&limit, GROW_BY));
            }
        }
        (capped, there)
    }

    /// Leave purging to jemalloc's background thread; true when jemalloc
    /// says it now does.
    ///
    /// A config past [`HUGE_FROM`](super::HUGE_FROM) is read, parsed and
    /// modelled by worker threads that end with each stage. When the last
    /// thread of an arena ends, jemalloc purges every unused page of it
    /// (`tcache_destroy` forces it, whatever the decay time): 25–135
    /// `madvise(MADV_DONTNEED)` calls in a 2,000-server check, each a TLB
    /// flush on the other CPUs, and the next stage faults the pages back.
    /// With a background thread, purging is that thread's job, on its
    /// decay timer (10 s, longer than a check). Not for small configs: the
    /// thread costs about 0.25 ms to start, and they purge little.
    pub fn purge_in_background() -> bool {
        write(c"background_thread", true) && read::<bool>(c"background_thread") == Some(true)
    }

    fn read<T: Copy + Default>(name: &CStr) -> Option<T> {
        let mut value = T::default();
        let mut len = std::mem::size_of::<T>();
        // SAFETY: `name` is a NUL-terminated mallctl name whose value is
        // the size of `T` (jemalloc's manual: unsigned, bool, size_t or a
        // pointer, here as usize), and `len` says so: jemalloc checks it
        // before writing.
        let status = unsafe {
            mallctl(
                name.as_ptr(),
                (&mut value as *mut T).cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        (status == 0).then_some(value)
    }

    /// Whether jemalloc took it. An error (an arena that cannot be made, a
    /// jemalloc without the setting) leaves the arena as it was.
    fn write<T: Copy>(name: &CStr, mut value: T) -> bool {
        // SAFETY: as in `read`; jemalloc copies `len` bytes from `value`.
        let status = unsafe {
            mallctl(
                name.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                (&mut value as *mut T).cast(),
                std::mem::size_of::<T>(),
            )
        };
        status == 0
    }
}

/// The CPUs in the `Cpus_allowed_list` line of `/proc/self/status`
/// (`0-3,8,10-11`), None when there is none or it does not read.
#[cfg_attr(
    not(all(target_os = "linux", not(target_env = "musl"))),
    allow(dead_code)
)]
fn allowed_cpus(status: &str) -> Option<Vec<u32>> {
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?
        .trim();
    let mut cpus = Vec::new();
    for part in list.split(',') {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => {
                let cpu = part.parse::<u32>().ok()?;
                (cpu, cpu)
            }
        };
        // A CPU number is below a few thousand; a longer range is not a
        // list this reads.
        if last < first || last - first > 65_536 {
            return None;
        }
        cpus.extend(first..=last);
    }
    Some(cpus)
}

#[cfg(not(all(target_os = "linux", not(target_env = "musl"))))]
mod arenas {
    pub fn grow_by_huge_pages() -> (usize, usize) {
        (0, 0)
    }

    pub fn purge_in_background() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_cpus_read_the_kernels_list() {
        let status = |list: &str| {
            format!("Name:\tx\nCpus_allowed:\tff\nCpus_allowed_list:\t{list}\nMems_allowed:\t1\n")
        };
        assert_eq!(allowed_cpus(&status("0-1")), Some(vec![0, 1]));
        assert_eq!(allowed_cpus(&status("3")), Some(vec![3]));
        assert_eq!(
            allowed_cpus(&status("0-2,8,10-11")),
            Some(vec![0, 1, 2, 8, 10, 11])
        );
        assert_eq!(allowed_cpus(&status("2-1")), None);
        assert_eq!(allowed_cpus(&status("a")), None);
        assert_eq!(allowed_cpus("Name:\tx\n"), None);
        // This process's own list names a CPU at least.
        #[cfg(target_os = "linux")]
        {
            let own = std::fs::read_to_string("/proc/self/status").unwrap();
            assert!(!allowed_cpus(&own).unwrap().is_empty());
        }
    }

    #[test]
    fn stages_by_bytes_read() {
        assert_eq!(Stage::of(0), Stage::Small);
        assert_eq!(Stage::of(HUGE_FROM - 1), Stage::Small);
        assert_eq!(Stage::of(HUGE_FROM), Stage::Medium);
        assert_eq!(Stage::of(HUGE_BELOW - 1), Stage::Medium);
        assert_eq!(Stage::of(HUGE_BELOW), Stage::Large);
        assert!(!Stage::Small.huge_pages());
        assert!(Stage::Medium.huge_pages());
        assert!(!Stage::Large.huge_pages());
    }

    #[test]
    fn stages_only_move_forward() {
        let (small, medium, large) = (Stage::Small as u8, Stage::Medium as u8, Stage::Large as u8);
        assert_eq!(step(small, 10), None);
        assert_eq!(step(small, HUGE_FROM), Some(Stage::Medium));
        // One file can take a config past both thresholds at once.
        assert_eq!(step(small, HUGE_BELOW), Some(Stage::Large));
        assert_eq!(step(medium, HUGE_FROM + 1), None);
        assert_eq!(step(medium, HUGE_BELOW), Some(Stage::Large));
        assert_eq!(step(large, HUGE_BELOW * 2), None);
        // A thread with an older, smaller total does not move back.
        assert_eq!(step(large, HUGE_FROM), None);
    }

    /// Whether this process may get huge pages, as the kernel says
    /// (`PR_GET_THP_DISABLE`, 42).
    #[cfg(target_os = "linux")]
    fn huge_pages_allowed() -> bool {
        // SAFETY: PR_GET_THP_DISABLE takes no pointer; it returns the flag.
        let disabled = unsafe { prctl(42, 0 as c_ulong, 0 as c_ulong, 0 as c_ulong, 0 as c_ulong) };
        assert!(disabled >= 0, "Linux answers PR_GET_THP_DISABLE");
        disabled == 0
    }

    /// The flag really reaches the kernel. The test process is left as it
    /// was (nothing else in the tests depends on the flag; it only changes
    /// how memory is backed).
    #[cfg(target_os = "linux")]
    #[test]
    fn switch_reaches_the_kernel() {
        let before = huge_pages_allowed();
        set_huge_pages(false);
        assert!(!huge_pages_allowed());
        set_huge_pages(true);
        assert!(huge_pages_allowed());
        set_huge_pages(before);
    }
}
