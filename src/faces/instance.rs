//! Which server this is, across restarts, so that a server coming back after
//! a crash can take back the tasks it was running at once instead of
//! waiting for their leases (`tasks.lease`) to run out.
//!
//! The identity lives in `tasks.instance_dir` as numbered slot files, each
//! holding an id. A running server holds an exclusive `flock` on its slot
//! for as long as it lives; the kernel drops the lock when the process
//! dies, however it dies. A starting server takes the first slot nobody
//! holds, so a restarted server gets its old id back, and two servers
//! sharing the folder never share an id. A held lock is proof of life, so a
//! live server's claims are never taken early. The lock only proves that
//! within one machine: give each machine its own folder (a network file
//! system's locks are not to be trusted).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::AsRawFd;
use std::path::Path;

const MAX_SLOTS: usize = 256;

/// This server's id, valid while the value lives (it holds the slot's lock).
#[derive(Debug)]
pub struct ServerIdentity {
    id: String,
    _slot: File,
}

impl ServerIdentity {
    /// Takes the first free slot under `dir`, creating the folder, the slot
    /// and its id as needed.
    pub fn acquire(dir: &Path) -> std::io::Result<ServerIdentity> {
        std::fs::create_dir_all(dir)?;
        for slot in 0..MAX_SLOTS {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(dir.join(format!("slot-{slot}")))?;
            if !try_lock_exclusive(&file)? {
                continue;
            }
            let mut id = String::new();
            file.read_to_string(&mut id)?;
            let id = id.trim();
            if uuid::Uuid::parse_str(id).is_ok() {
                return Ok(ServerIdentity {
                    id: id.to_owned(),
                    _slot: file,
                });
            }
            let id = uuid::Uuid::new_v4().to_string();
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(id.as_bytes())?;
            file.sync_all()?;
            return Ok(ServerIdentity { id, _slot: file });
        }
        Err(std::io::Error::other(format!(
            "all {MAX_SLOTS} server identity slots in {} are held by running servers",
            dir.display()
        )))
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

/// `false` when another open file description holds the lock.
fn try_lock_exclusive(file: &File) -> std::io::Result<bool> {
    // SAFETY: flock on a file descriptor this `File` owns and keeps open.
    let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if result == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restart_gets_the_old_id_and_a_second_server_another() {
        let dir = tempfile::tempdir().unwrap();
        let first = ServerIdentity::acquire(dir.path()).unwrap();
        let first_id = first.id().to_owned();
        // flock locks belong to the open file, so a second open in this
        // process stands in for a second server.
        let second = ServerIdentity::acquire(dir.path()).unwrap();
        assert_ne!(second.id(), first_id);
        drop(first);
        let restarted = ServerIdentity::acquire(dir.path()).unwrap();
        assert_eq!(restarted.id(), first_id);
        let third = ServerIdentity::acquire(dir.path()).unwrap();
        assert_ne!(third.id(), first_id);
        assert_ne!(third.id(), second.id());
    }

    #[test]
    fn a_garbled_slot_gets_a_fresh_id() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("slot-0"), "not an id").unwrap();
        let identity = ServerIdentity::acquire(dir.path()).unwrap();
        assert!(uuid::Uuid::parse_str(identity.id()).is_ok());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("slot-0")).unwrap(),
            identity.id()
        );
    }
}
