//! How the process holds its memory: allocator settings at launch, and
//! the heap start-up leaves behind handed back once the service is ready.
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
/// own `MALLOC_ARENA_MAX` or `MALLOC_MMAP_THRESHOLD_` wins, each on its own:
/// the threshold is also what keeps `HugePagesForPhotos` to photo blocks.
///
/// Call first thing in `main`, before any other thread exists.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
            // SAFETY: mallopt only sets an allocator parameter; it is
            // called before any other thread exists.
            unsafe {
                libc::mallopt(libc::M_ARENA_MAX, 2);
            }
        }
        if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
            // SAFETY: as above.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, PHOTO_SIZED as libc::c_int);
            }
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

/// Hands back the heap freed by start-up (optimising the models, rendering
/// the built-in templates), which glibc keeps between live blocks until
/// asked. The executable's own pages are left alone: dropping them shrank
/// the resident set `ps` shows, but they stayed in the page cache, which is
/// what a container's memory limit counts (bench/idle-memory.sh).
pub fn release_start_up_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
