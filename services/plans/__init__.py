"""plans: review plans (评审计划) and their review standards (评审标准), the organisers (组建单位)
that own them and who administers each."""
