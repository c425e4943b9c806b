"""What rules read: typed views over parsed documents; pure, no rules."""
