//! Work split over the machine's cores, results in input order.
//!
//! Parsing thousands of included files and building the model of tens of
//! thousands of servers are independent per item; one contiguous run of
//! items per core keeps the output order without any sorting afterwards.

/// The number of cores to use. Asked once: `available_parallelism` reads
/// the cgroup files on every call, 2% of a 2,000-server check.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs per thread: enough that a thread on a slower core (two vCPUs
/// sharing one physical core, or a neighbour's load) takes fewer runs
/// instead of holding up the others, few enough to keep each run's items
/// together in memory.
const RUNS_PER_THREAD: usize = 8;

/// `f` applied to every item, in order. When the items weigh at least
/// `min_weight` in all, they are cut into runs of about equal weight that
/// one thread per core takes in turn, each the next run not yet taken;
/// below it, starting threads costs more than it saves.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    weight: impl Fn(&T) -> usize,
    min_weight: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = cores().min(items.len());
    let total: usize = items.iter().map(&weight).sum();
    if threads < 2 || total < min_weight {
        return items.iter().map(f).collect();
    }
    let per_run = total.div_ceil(threads * RUNS_PER_THREAD).max(1);
    let mut runs: Vec<&[T]> = Vec::with_capacity(threads * RUNS_PER_THREAD + 1);
    let (mut start, mut acc) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        acc += weight(item);
        if acc >= per_run {
            runs.push(&items[start..=i]);
            (start, acc) = (i + 1, 0);
        }
    }
    if start < items.len() {
        runs.push(&items[start..]);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (runs, f, next) = (&runs, &f, &next);
    let work = move || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(run) = runs.get(i) else { break };
            mine.push((i, run.iter().map(f).collect::<Vec<R>>()));
        }
        mine
    };
    // Each thread's results by run number; put back in run order after.
    // The calling thread takes runs too: one thread fewer to start.
    let mut done: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for h in handles {
            all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(items.len());
    for (_, results) in done {
        out.extend(results);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_with_and_without_threads() {
        let items: Vec<u32> = (0..1000).collect();
        let expected: Vec<u64> = items.iter().map(|&i| u64::from(i) * 3).collect();
        assert_eq!(map(&items, |_| 1, 0, |&i| u64::from(i) * 3), expected);
        assert_eq!(
            map(&items, |_| 1, usize::MAX, |&i| u64::from(i) * 3),
            expected
        );
        // Uneven weights: one heavy item first.
        let got = map(&items, |&i| if i == 0 { 10_000 } else { 1 }, 0, |&i| i);
        assert_eq!(got, items);
        assert!(map(&[] as &[u32], |_| 1, 0, |&i| i).is_empty());
    }
}
