package sqlurl_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/datafactory/datafactory/internal/sqldialect"
	"github.com/datafactory/datafactory/internal/sqlurl"
	"github.com/stretchr/testify/require"
)

// pragmas is the query every SQLite file DSN starts with.
const pragmas = "_pragma=busy_timeout%2810000%29&_pragma=foreign_keys%281%29&_pragma=journal_mode%28WAL%29&_pragma=synchronous%28NORMAL%29&_txlock=immediate"

// memPragmas is the same for an in-memory database (no WAL).
const memPragmas = "_pragma=busy_timeout%2810000%29&_pragma=foreign_keys%281%29&_pragma=synchronous%28NORMAL%29&_txlock=immediate"

// mysqlParams are the parameters every MySQL DSN ends with.
const mysqlParams = "?parseTime=true&sql_mode=%27STRICT_ALL_TABLES%2CNO_ZERO_IN_DATE%2CNO_ZERO_DATE%2CERROR_FOR_DIVISION_BY_ZERO%2CNO_ENGINE_SUBSTITUTION%27&time_zone=%27%2B00%3A00%27"

// TestParseForms parses every accepted form (those sqlstore and sqlstatus
// accepted before they shared this grammar) into its dialect and DSN.
func TestParseForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		dialect sqldialect.Dialect
		dsn     string
		memory  bool
	}{
		{"sqlite::memory:", sqldialect.SQLite, "file::memory:?" + memPragmas, true},
		{"sqlite://:memory:", sqldialect.SQLite, "file::memory:?" + memPragmas, true},
		{"sqlite:///var/lib/status.db", sqldialect.SQLite, "file:/var/lib/status.db?" + pragmas, false},
		{"sqlite:rel/status.db", sqldialect.SQLite, "file:rel/status.db?" + pragmas, false},
		{"SQLite3:///abs.db", sqldialect.SQLite, "file:/abs.db?" + pragmas, false},
		{"sqlite3:////double.db", sqldialect.SQLite, "file://double.db?" + pragmas, false},
		{"sqlite:status.db?_pragma=cache_size(1000)", sqldialect.SQLite, "file:status.db?" + pragmas + "&_pragma=cache_size(1000)", false},
		{"postgres://u:p@h:5432/db?sslmode=disable", sqldialect.Postgres, "postgres://u:p@h:5432/db?sslmode=disable", false},
		{"postgresql://h/db", sqldialect.Postgres, "postgresql://h/db", false},
		{"POSTGRES:///db", sqldialect.Postgres, "postgres:///db", false},
		{"postgres://h", sqldialect.Postgres, "postgres://h", false},
		{"mysql://root:pa%40ss@db.example:3307/status", sqldialect.MySQL, "root:pa@ss@tcp(db.example:3307)/status" + mysqlParams, false},
		{"mysql://root@localhost/status?charset=utf8mb4", sqldialect.MySQL, "root@tcp(localhost:3306)/status?charset=utf8mb4&parseTime=true&sql_mode=%27STRICT_ALL_TABLES%2CNO_ZERO_IN_DATE%2CNO_ZERO_DATE%2CERROR_FOR_DIVISION_BY_ZERO%2CNO_ENGINE_SUBSTITUTION%27&time_zone=%27%2B00%3A00%27", false},
		{"mariadb://root@db/status", sqldialect.MySQL, "root@tcp(db:3306)/status" + mysqlParams, false},
		{"mysql:///status", sqldialect.MySQL, "tcp(127.0.0.1:3306)/status" + mysqlParams, false},
		{"mysql://[::1]/status", sqldialect.MySQL, "tcp([::1]:3306)/status" + mysqlParams, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			u, err := sqlurl.Parse(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.dialect, u.Dialect)
			require.Equal(t, tc.dsn, u.DSN(nil))
			require.Equal(t, tc.memory, u.Memory())
			again, err := sqlurl.Parse(u.String())
			require.NoError(t, err, "String() parses again")
			require.Equal(t, u.DSN(nil), again.DSN(nil))
		})
	}
}

func TestBusyTimeoutOption(t *testing.T) {
	t.Parallel()
	u, err := sqlurl.Parse("sqlite:x.db")
	require.NoError(t, err)
	require.Contains(t, u.DSN(&sqlurl.Options{BusyTimeout: 2500 * time.Millisecond}), "busy_timeout%282500%29")
	require.Contains(t, u.DSN(&sqlurl.Options{}), "busy_timeout%2810000%29")
}

// TestParseErrors: every refused URL matches ErrInvalidURL, and no error
// contains the password or the raw URL.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"sqlite://host/rel.db", "sqlite:", "sqlite://", "no-scheme", "sqlite:a.db?x=%zz",
		"mysql://u:hunter2@h:1/", "mysql://u:hunter2@h/a/b", "mysql://u:hunter2@h/db?tls=nonsense",
		"oracle://u:hunter2@h/x", "postgres://", "postgres:opaque-hunter2",
		"postgres://u:hunter2%zz@h/db", "postgres://u:hunter2@h:port/db", "mysql://u:hunter2@h/db?x=%zz",
		"http://u:hunter2@h/", "a/b@hunter2:x",
	} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := sqlurl.Parse(in)
			require.ErrorIs(t, err, sqlurl.ErrInvalidURL)
			require.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestErrorNamesRedactedURL(t *testing.T) {
	t.Parallel()
	_, err := sqlurl.Parse("mysql://u:hunter2@h/")
	require.ErrorContains(t, err, "mysql://u:xxxxx@h/")
	_, err = sqlurl.Parse("sqlite://host/rel.db")
	require.ErrorContains(t, err, "sqlite://host/rel.db")
}

func TestPasswords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		has      bool
		filled   bool
		redacted string
	}{
		{"postgres://u@h/db", false, true, "postgres://u:xxxxx@h/db"},
		{"postgres://u:own@h/db", true, false, "postgres://u:xxxxx@h/db"},
		{"postgres://u@h/db?password=own", true, false, "postgres://u@h/db?password=xxxxx"},
		{"postgres://u@h/db?sslpassword=own&sslmode=require", true, false, "postgres://u@h/db?sslmode=require&sslpassword=xxxxx"},
		{"postgres://h/db", false, false, "postgres://h/db"},
		{"mysql://root@h/db", false, true, "mysql://root:xxxxx@h/db"},
		{"sqlite:a.db", false, false, "sqlite:a.db"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			u, err := sqlurl.Parse(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.has, u.HasPassword())
			require.Equal(t, tc.filled, u.FillPassword("from-env"))
			require.Equal(t, tc.redacted, u.Redacted())
			require.NotContains(t, u.Redacted(), "from-env")
			require.NotContains(t, u.Redacted(), "own")
			if tc.filled {
				require.True(t, u.HasPassword())
				require.Contains(t, u.DSN(nil), "from-env")
				require.Contains(t, u.String(), "from-env")
				require.False(t, u.FillPassword("other"), "a password is filled only once")
			}
		})
	}
}

func TestFillPasswordEmpty(t *testing.T) {
	t.Parallel()
	u, err := sqlurl.Parse("postgres://u@h/db")
	require.NoError(t, err)
	require.False(t, u.FillPassword(""))
	require.False(t, u.HasPassword())
}

func TestScrub(t *testing.T) {
	t.Parallel()
	u, err := sqlurl.Parse("postgres://u:hunter2@h/db?sslpassword=other")
	require.NoError(t, err)
	cause := errors.New("driver said hunter2 and other")
	got := u.Scrub(cause)
	require.Equal(t, "driver said xxxxx and xxxxx", got.Error())
	clean := errors.New("refused")
	require.Same(t, clean, u.Scrub(clean), "an error without a password keeps its chain")
	require.NoError(t, u.Scrub(nil))
}

func TestUser(t *testing.T) {
	t.Parallel()
	u, err := sqlurl.Parse("mysql://reader@h/db")
	require.NoError(t, err)
	require.Equal(t, "reader", u.User())
	s, err := sqlurl.Parse("sqlite:a.db")
	require.NoError(t, err)
	require.Empty(t, s.User())
	require.Equal(t, "a.db", s.Path())
}

// FuzzParse: parsing never panics; neither an error nor the redacted form
// of a URL contains its password; what parses parses again from String().
func FuzzParse(f *testing.F) {
	for _, s := range [][2]string{
		{"sqlite", "/a.db"}, {"postgres", "h/db"}, {"mysql", "h:1/db?x=%zz"}, {"x", "y"},
		{"mysql", "h/db?tls=true"}, {"postgres", "h/db?password=p"}, {"sqlite3", ":memory:"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, scheme, rest string) {
		if strings.Contains(scheme+rest, "hunter2") || strings.Contains(scheme+rest, "xxxxx") {
			return
		}
		u, err := sqlurl.Parse(scheme + "://user:hunter2@" + rest)
		if err != nil {
			require.ErrorIs(t, err, sqlurl.ErrInvalidURL)
			require.NotContains(t, err.Error(), "hunter2")
		} else {
			require.NotContains(t, u.Redacted(), "hunter2")
			_, err := sqlurl.Parse(u.String())
			require.NoError(t, err)
		}
		if u, err := sqlurl.Parse(scheme + ":" + rest); err == nil {
			_ = u.DSN(nil)
			_, err := sqlurl.Parse(u.String())
			require.NoError(t, err)
		}
	})
}
