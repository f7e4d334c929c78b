package cli

import "github.com/spf13/cobra"

func (m *Main) serveCmd() *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Serve the HTTP API"}
}
