#!/bin/sh
# Build a botnet victim list the way an office's spreadsheet program saves
# it: a Gnumeric workbook (XML) with the authority's title rows, merged title
# cells, a Vietnamese header, dates as real date cells and as dd/mm/yyyy
# text, an ip:port cell, stray spaces and a "Tổng cộng" row, converted to
# xlsx by Gnumeric's ssconvert.
#
# usage: make_xlsx.sh OUT.xlsx   (exit 77 when ssconvert is missing)
# tests/data/intel/botnet-sample.xlsx was made by this script.
set -eu
out=${1:?usage: make_xlsx.sh OUT.xlsx}
command -v ssconvert >/dev/null 2>&1 || { echo "ssconvert not found (Debian package gnumeric)" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/canh-xlsx.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Row and Col are 0-based; ValueType 60 is a string, 40 a number.
# 46300.3541666667 is 2026-10-05 08:30 and 46302 is 2026-10-07 as Excel serials.
cat >"$tmp/botnet.gnumeric" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<gnm:Workbook xmlns:gnm="http://www.gnumeric.org/v10.dtd">
  <gnm:SheetNameIndex>
    <gnm:SheetName>Botnet</gnm:SheetName>
  </gnm:SheetNameIndex>
  <gnm:Sheets>
    <gnm:Sheet>
      <gnm:Name>Botnet</gnm:Name>
      <gnm:MaxCol>6</gnm:MaxCol>
      <gnm:MaxRow>12</gnm:MaxRow>
      <gnm:Styles>
        <gnm:StyleRegion startCol="2" startRow="5" endCol="2" endRow="5">
          <gnm:Style Format="dd/mm/yyyy hh:mm"/>
        </gnm:StyleRegion>
        <gnm:StyleRegion startCol="2" startRow="7" endCol="2" endRow="7">
          <gnm:Style Format="dd/mm/yyyy"/>
        </gnm:StyleRegion>
      </gnm:Styles>
      <gnm:Cells>
        <gnm:Cell Row="0" Col="0" ValueType="60">BỘ THÔNG TIN VÀ TRUYỀN THÔNG</gnm:Cell>
        <gnm:Cell Row="1" Col="0" ValueType="60">CỤC AN TOÀN THÔNG TIN</gnm:Cell>
        <gnm:Cell Row="2" Col="0" ValueType="60">DANH SÁCH ĐỊA CHỈ IP BOTNET THÁNG 10/2026</gnm:Cell>
        <gnm:Cell Row="4" Col="0" ValueType="60">STT</gnm:Cell>
        <gnm:Cell Row="4" Col="1" ValueType="60">Địa chỉ IP</gnm:Cell>
        <gnm:Cell Row="4" Col="2" ValueType="60">Thời gian phát hiện</gnm:Cell>
        <gnm:Cell Row="4" Col="3" ValueType="60">Tên mạng botnet</gnm:Cell>
        <gnm:Cell Row="4" Col="4" ValueType="60">Cổng</gnm:Cell>
        <gnm:Cell Row="4" Col="5" ValueType="60">Đơn vị</gnm:Cell>
        <gnm:Cell Row="5" Col="0" ValueType="40">1</gnm:Cell>
        <gnm:Cell Row="5" Col="1" ValueType="60">192.0.2.10</gnm:Cell>
        <gnm:Cell Row="5" Col="2" ValueType="40">46300.3541666667</gnm:Cell>
        <gnm:Cell Row="5" Col="3" ValueType="60">Mirai</gnm:Cell>
        <gnm:Cell Row="5" Col="4" ValueType="40">23</gnm:Cell>
        <gnm:Cell Row="5" Col="5" ValueType="60">Sở Thông tin và Truyền thông tỉnh A</gnm:Cell>
        <gnm:Cell Row="6" Col="0" ValueType="40">2</gnm:Cell>
        <gnm:Cell Row="6" Col="1" ValueType="60">  198.51.100.20  </gnm:Cell>
        <gnm:Cell Row="6" Col="2" ValueType="60">06/10/2026 14:05</gnm:Cell>
        <gnm:Cell Row="6" Col="3" ValueType="60">Emotet </gnm:Cell>
        <gnm:Cell Row="7" Col="0" ValueType="40">3</gnm:Cell>
        <gnm:Cell Row="7" Col="1" ValueType="60">203.0.113.5:8443</gnm:Cell>
        <gnm:Cell Row="7" Col="2" ValueType="40">46302</gnm:Cell>
        <gnm:Cell Row="7" Col="3" ValueType="60">Gafgyt</gnm:Cell>
        <gnm:Cell Row="7" Col="5" ValueType="60">Bệnh viện B</gnm:Cell>
        <gnm:Cell Row="8" Col="0" ValueType="40">4</gnm:Cell>
        <gnm:Cell Row="8" Col="1" ValueType="60">2001:db8::5</gnm:Cell>
        <gnm:Cell Row="8" Col="2" ValueType="60">07/10/2026</gnm:Cell>
        <gnm:Cell Row="8" Col="3" ValueType="60">Mozi</gnm:Cell>
        <gnm:Cell Row="8" Col="4" ValueType="40">443</gnm:Cell>
        <gnm:Cell Row="8" Col="5" ValueType="60">Trường C</gnm:Cell>
        <gnm:Cell Row="9" Col="0" ValueType="40">5</gnm:Cell>
        <gnm:Cell Row="9" Col="1" ValueType="60">192.0.2.300</gnm:Cell>
        <gnm:Cell Row="9" Col="2" ValueType="60">08/10/2026</gnm:Cell>
        <gnm:Cell Row="9" Col="3" ValueType="60">Mirai</gnm:Cell>
        <gnm:Cell Row="11" Col="0" ValueType="60">Tổng cộng</gnm:Cell>
        <gnm:Cell Row="11" Col="2" ValueType="40">4</gnm:Cell>
      </gnm:Cells>
      <gnm:MergedRegions>
        <gnm:Merge>A1:F1</gnm:Merge>
        <gnm:Merge>A2:F2</gnm:Merge>
        <gnm:Merge>A3:F3</gnm:Merge>
        <gnm:Merge>F6:F7</gnm:Merge>
        <gnm:Merge>A12:B12</gnm:Merge>
      </gnm:MergedRegions>
    </gnm:Sheet>
  </gnm:Sheets>
</gnm:Workbook>
XML
# ssconvert needs a writable home for its settings and no display.
HOME=$tmp ssconvert --export-type=Gnumeric_Excel:xlsx2 "$tmp/botnet.gnumeric" "$tmp/out.xlsx" >"$tmp/log" 2>&1 || {
	cat "$tmp/log" >&2
	exit 1
}
mv "$tmp/out.xlsx" "$out"
