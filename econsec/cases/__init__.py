"""Case workflows of the Act's review processes (issue 7): statutory clocks first."""
