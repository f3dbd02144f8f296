// API schemas of the member-day module (issue 11): being written
export {}
