package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The settings table is a small name → value store of the platform (the
// master key version in use, the duplicate job's watermark). This package
// owns it: the packages keeping a setting read and write it here.

// Setting returns the value of a setting through q, and whether it is set.
func Setting(ctx context.Context, q Querier, name string) (string, bool, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", name, err)
	}
	return v, true, nil
}

// PutSetting sets a setting in the caller's transaction.
func PutSetting(ctx context.Context, tx *Tx, name, value string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value); err != nil {
		return fmt.Errorf("write setting %s: %w", name, err)
	}
	return nil
}
