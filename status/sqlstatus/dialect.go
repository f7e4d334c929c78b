package sqlstatus

import "github.com/datafactory/datafactory/internal/sqldialect"

// Dialect names one of the supported databases. The URL grammar, the
// SQLite pragmas and the MySQL session defaults are the module's one set,
// shared with package sqlstore.
type Dialect = sqldialect.Dialect

// Supported dialects.
const (
	SQLite   Dialect = sqldialect.SQLite
	Postgres Dialect = sqldialect.Postgres
	MySQL    Dialect = sqldialect.MySQL
)
