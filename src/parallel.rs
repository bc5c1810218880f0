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

/// `f` applied to every item, in order. When the items weigh at least
/// `min_weight` in all, they are cut into one run of about equal weight per
/// core, each mapped on its own thread; below it, starting threads costs
/// more than it saves.
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
    let per_thread = total.div_ceil(threads);
    let mut runs: Vec<&[T]> = Vec::with_capacity(threads);
    let (mut start, mut acc) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        acc += weight(item);
        if acc >= per_thread {
            runs.push(&items[start..=i]);
            (start, acc) = (i + 1, 0);
        }
    }
    if start < items.len() {
        runs.push(&items[start..]);
    }
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|run| scope.spawn(move || run.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
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
