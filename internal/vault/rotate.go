package vault

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/ura-nrm/ura/internal/store"
)

// rotateBatch is how many data keys one rotation transaction re-wraps: small
// enough that the SQLite write lock is never held for long while Ura serves.
// A variable only so tests can make batches small.
var rotateBatch = 500

// afterRewrapBatch, when set by a test, runs after each committed batch; an
// error stops the rotation there, as a crash would.
var afterRewrapBatch func() error

// RotateResult says what a rotation did.
type RotateResult struct {
	From, To  int   // master version before and after
	Rewrapped int   // data keys re-wrapped under To
	Retired   []int // master versions removed from the key file
	Resumed   bool  // an interrupted rotation was finished, no version added
}

// Rotate gives the key file at keyPath a new master version, re-wraps every
// live data key under it in batches of transactions, and then removes the older
// master versions from the file. Data is never re-encrypted.
//
// It is resumable: each data_keys row records its master version, so a rotation
// interrupted at any point is finished by running Rotate again (a key file with
// more than one version means an unfinished rotation, and no further version is
// added). Retiring old versions is what makes shredding reach old backups:
// a backup holds data keys wrapped by the versions of its day.
//
// Nodes that keep running pick the new version up (see Vault.NewDataKey); a
// node must be able to read the rewritten key file (shared data directory, or
// copy it before rotating).
func Rotate(ctx context.Context, db *store.DB, keyPath string) (RotateResult, error) {
	kr, err := Load(keyPath)
	if err != nil {
		return RotateResult{}, err
	}
	res := RotateResult{From: kr.CurrentVersion()}
	f := kr.snapshot()
	if len(f.Masters) > 1 {
		res.Resumed = true
	} else {
		f.Current++
		f.Masters = append(f.Masters, keyFileMaster{
			Version: f.Current, Key: randomBytes(keySize), Created: time.Now().UTC().Format(time.RFC3339),
		})
		if err := saveAtomic(keyPath, f); err != nil {
			f.zero()
			return res, err
		}
		if err := kr.fill(f); err != nil {
			f.zero()
			return res, err
		}
	}
	f.zero()
	to := kr.CurrentVersion()
	res.To = to
	if err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
		return store.PutSetting(ctx, tx, settingMasterVersion, strconv.Itoa(to))
	}); err != nil {
		return res, fmt.Errorf("vault: record master version: %w", err)
	}
	for {
		n, err := rewrapBatch(ctx, db, kr, to)
		if err != nil {
			return res, err
		}
		res.Rewrapped += n
		if n == 0 {
			break
		}
		if afterRewrapBatch != nil {
			if err := afterRewrapBatch(); err != nil {
				return res, err
			}
		}
	}
	// Shredded rows hold no key; move their version on so none refers to a
	// retired version, then check that nothing does before retiring.
	var left int
	if err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET master_version = $1
			WHERE wrapped IS NULL AND master_version < $1`, to); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM data_keys WHERE master_version <> $1`, to).Scan(&left)
	}); err != nil {
		return res, fmt.Errorf("vault: finish rotation: %w", err)
	}
	if left > 0 {
		return res, fmt.Errorf("vault: %d data keys still use another master version; run the rotation again", left)
	}
	f = kr.snapshot()
	defer f.zero()
	kept := f.Masters[:0]
	for _, m := range f.Masters {
		if m.Version == to {
			kept = append(kept, m)
		} else {
			res.Retired = append(res.Retired, m.Version)
			clear(m.Key)
		}
	}
	f.Masters = kept
	sort.Ints(res.Retired)
	if len(res.Retired) > 0 {
		if err := saveAtomic(keyPath, f); err != nil {
			return res, err
		}
	}
	return res, nil
}

// rewrapBatch re-wraps up to rotateBatch live keys below version to in one
// transaction and returns how many it did.
func rewrapBatch(ctx context.Context, db *store.DB, kr *Keyring, to int) (int, error) {
	type row struct {
		id      string
		version int
		wrapped []byte
	}
	var n int
	err := db.InTx(ctx, time.Now(), func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, master_version, wrapped FROM data_keys
			WHERE master_version < $1 AND wrapped IS NOT NULL ORDER BY id LIMIT `+strconv.Itoa(rotateBatch)+tx.ForUpdate(), to)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.version, &r.wrapped); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		newM := kr.master(to)
		for _, r := range batch {
			old := kr.master(r.version)
			if old == nil {
				return fmt.Errorf("vault: data key %s uses master version %d, which the key file lacks", r.id, r.version)
			}
			dk, err := unwrapKey(old, r.version, r.id, r.wrapped)
			if err != nil {
				return err
			}
			w := wrapKey(newM, to, r.id, dk)
			clear(dk)
			if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET master_version = $1, wrapped = $2
				WHERE id = $3 AND master_version = $4`, to, w, r.id, r.version); err != nil {
				return err
			}
		}
		n = len(batch)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("vault: re-wrap data keys: %w", err)
	}
	return n, nil
}
