//! How the process holds its memory: allocator settings at launch, and
//! what start-up leaves behind handed back once the service is ready.
//! Linux with glibc only; elsewhere these do nothing.

use std::alloc::{GlobalAlloc, Layout, System};

/// glibc gives every thread that contends for the heap an arena of its own,
/// up to eight per core, and raises its mmap threshold as big blocks are
/// freed, so decoded photos end up in arenas that keep their pages. Under
/// upload load that made peak memory 586 MB (bench/tasks-load.sh). Two
/// arenas, and photo-sized blocks always mapped (and so returned on free),
/// keep it near 200 MB. The threshold sits above the detector's 1-2 MB
/// scratch tensors: mapping and zeroing those on every run cost 3-4 ms a
/// pass (at 1 MiB the load ran 15.0 tasks/s, at 4 MiB 16.9). An operator's
/// own MALLOC_ARENA_MAX wins.
///
/// Call first thing in `main`, before any other thread exists.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets allocator parameters; it is called
        // before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
            libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        }
    }
}

/// The system allocator, asking the kernel to back photo-sized blocks with
/// transparent huge pages (2 MiB) where it allows them on request (Debian's
/// default, `madvise`). Those blocks are mapped afresh for every photo (see
/// `limit_malloc_arenas`), and faulting a 12 MP photo's 36 MB in 4 KiB pages
/// was a third of its decode here: 12 MP analyse 81 → 61 ms. glibc's own
/// `glibc.malloc.hugetlb=1` tunable does the same, but only from the
/// environment. Elsewhere this is the plain system allocator.
pub struct HugePagesForPhotos;

/// Blocks from this size are mapped on their own (the mmap threshold set by
/// `limit_malloc_arenas`), so the advice reaches no other block.
const PHOTO_SIZED: usize = 4 << 20;

// SAFETY: every call is passed to `System` unchanged; the advice only
// changes how the kernel backs pages of the block just returned.
unsafe impl GlobalAlloc for HugePagesForPhotos {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let block = unsafe { System.alloc(layout) };
        advise_huge_pages(block, layout.size());
        block
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let block = unsafe { System.alloc_zeroed(layout) };
        advise_huge_pages(block, layout.size());
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let block = unsafe { System.realloc(block, layout, new_size) };
        if new_size > layout.size() {
            advise_huge_pages(block, new_size);
        }
        block
    }
}

fn advise_huge_pages(block: *mut u8, size: usize) {
    #[cfg(target_os = "linux")]
    if !block.is_null() && size >= PHOTO_SIZED {
        const HUGE_PAGE: usize = 2 << 20;
        let start = (block as usize).next_multiple_of(HUGE_PAGE);
        let end = (block as usize + size) / HUGE_PAGE * HUGE_PAGE;
        if end > start {
            // SAFETY: the range lies inside the block just allocated; the
            // advice is a hint that leaves its contents as they are.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (block, size);
}

/// Hands back what start-up used and serving never uses again:
/// - the heap freed by optimising the models and rendering the built-in
///   templates, which glibc keeps between live blocks until asked;
/// - the pages of the executable that start-up read: model optimisation,
///   SVG rendering and migrations are most of the code run so far, and
///   they would stay mapped (and counted in RSS) for the process's life.
///   They stay in the page cache, so code that runs again costs a minor
///   fault, not a read from disk.
pub fn release_start_up_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only returns free heap pages to the kernel.
        unsafe {
            libc::malloc_trim(0);
        }
        match drop_clean_executable_pages() {
            Ok(bytes) => tracing::debug!(bytes, "dropped start-up code pages"),
            Err(error) => tracing::debug!(error = %error, "could not drop start-up code pages"),
        }
    }
}

/// A mapping of /proc/self/smaps: its address range, whether it is
/// writable, its file, and how much of it is private copies.
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
#[derive(Debug, PartialEq)]
struct Mapping {
    start: usize,
    end: usize,
    writable: bool,
    path: String,
    anonymous_kib: u64,
}

#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
fn parse_smaps(smaps: &str) -> Vec<Mapping> {
    let mut mappings: Vec<Mapping> = Vec::new();
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else { continue };
        if let Some((start, end)) = first.split_once('-')
            && let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            )
        {
            let permissions = fields.next().unwrap_or("");
            // offset, device, inode, then the path (which may hold spaces).
            let path = fields.skip(3).collect::<Vec<_>>().join(" ");
            mappings.push(Mapping {
                start,
                end,
                writable: permissions.as_bytes().get(1) == Some(&b'w'),
                path,
                anonymous_kib: 0,
            });
        } else if first == "Anonymous:"
            && let Some(mapping) = mappings.last_mut()
        {
            mapping.anonymous_kib = fields.next().and_then(|kib| kib.parse().ok()).unwrap_or(0);
        }
    }
    mappings
}

/// The mappings of `executable` that can be dropped and read again as they
/// were: read-only, and with no page copied privately (the relocated
/// RELRO segment is read-only too, but every page of it is a private copy).
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
fn droppable<'a>(
    mappings: &'a [Mapping],
    executable: &'a str,
) -> impl Iterator<Item = &'a Mapping> {
    mappings
        .iter()
        .filter(move |m| m.path == executable && !m.writable && m.anonymous_kib == 0)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn drop_clean_executable_pages() -> std::io::Result<usize> {
    let executable = std::fs::read_link("/proc/self/exe")?;
    let executable = executable.to_string_lossy();
    let mappings = parse_smaps(&std::fs::read_to_string("/proc/self/smaps")?);
    let mut dropped = 0;
    for mapping in droppable(&mappings, &executable) {
        let length = mapping.end - mapping.start;
        // SAFETY: the range is a whole mapping of the executable that is
        // read-only and holds no private copy, so every page is the file's
        // page-cache page and faults back in unchanged when next touched.
        let status = unsafe {
            libc::madvise(
                mapping.start as *mut libc::c_void,
                length,
                libc::MADV_DONTNEED,
            )
        };
        if status != 0 {
            return Err(std::io::Error::last_os_error());
        }
        dropped += length;
    }
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
5615c39a3000-5615c432e000 r--p 00000000 fe:00 10293287   /srv/igemoji
Rss:                4916 kB
Anonymous:             0 kB
5615c432e000-5615c6772000 r-xp 0098a000 fe:00 10293287   /srv/igemoji
Rss:               25040 kB
Anonymous:             0 kB
5615c6772000-5615c689f000 r--p 02dcd000 fe:00 10293287   /srv/igemoji
Rss:                1204 kB
Anonymous:          1204 kB
5615c689f000-5615c68bf000 rw-p 02ef9000 fe:00 10293287   /srv/igemoji
Anonymous:            56 kB
5615c6b04000-5615c792e000 rw-p 00000000 00:00 0          [heap]
Anonymous:          9500 kB
7f4085a15000-7f4085a1d000 r-xp 00000000 fe:00 10010698   /usr/lib/libc.so.6
Anonymous:             0 kB
7f4085a1d000-7f4085a1e000 r--p 00000000 fe:00 10010699   /data/my photos/x.db
Anonymous:             0 kB
";

    #[test]
    fn only_read_only_unmodified_mappings_of_the_executable_are_dropped() {
        let mappings = parse_smaps(SMAPS);
        assert_eq!(mappings.len(), 7);
        assert_eq!(mappings[6].path, "/data/my photos/x.db");
        let dropped: Vec<_> = droppable(&mappings, "/srv/igemoji")
            .map(|m| (m.start, m.end))
            .collect();
        assert_eq!(
            dropped,
            [
                (0x5615c39a3000, 0x5615c432e000),
                (0x5615c432e000, 0x5615c6772000)
            ]
        );
    }

    #[test]
    fn photo_sized_blocks_keep_their_contents_through_growth_and_zeroing() {
        let allocator = HugePagesForPhotos;
        let layout = Layout::from_size_align(PHOTO_SIZED + 12_345, 16).unwrap();
        // SAFETY: a non-zero layout; every block is freed with its layout.
        unsafe {
            let zeroed = allocator.alloc_zeroed(layout);
            assert!(!zeroed.is_null());
            let zeroed_bytes = std::slice::from_raw_parts(zeroed, layout.size());
            assert!(zeroed_bytes.iter().all(|&byte| byte == 0));
            for (index, byte) in std::slice::from_raw_parts_mut(zeroed, layout.size())
                .iter_mut()
                .enumerate()
            {
                *byte = index as u8;
            }
            let grown = allocator.realloc(zeroed, layout, 3 * PHOTO_SIZED);
            assert!(!grown.is_null());
            let kept = std::slice::from_raw_parts(grown, layout.size());
            assert!(
                kept.iter()
                    .enumerate()
                    .all(|(index, &byte)| byte == index as u8)
            );
            allocator.dealloc(grown, Layout::from_size_align(3 * PHOTO_SIZED, 16).unwrap());
        }
    }

    #[test]
    fn dropping_the_code_pages_of_this_process_leaves_it_running() {
        release_start_up_memory();
        // Code and constant data fault back in as they were.
        let sum: u64 = (1..=1000u64).map(|n| n * n).sum();
        assert_eq!(sum, 333_833_500);
        assert_eq!(format!("{:?}", Some("text")), "Some(\"text\")");
    }
}
