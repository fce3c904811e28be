-- Insert 200k pseudo-random integers into a table and sort them.
local t, x = {}, 12345
for i = 1, 200000 do
  x = (x * 1103515245 + 12345) % 2147483648
  t[i] = x
end
table.sort(t)
return t[1]
