"""Delivery after publishing: the month's bulletin and workbook by email, a summary to DingTalk
and WeCom group robots, a log of what went to whom, and alerts when a step fails."""
